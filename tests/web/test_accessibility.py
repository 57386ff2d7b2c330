"""Every form control on the main pages has a label (for=, wrapping <label>, or aria-label)."""
from html.parser import HTMLParser

import pytest
from django.test import Client

from .test_pages import new_event


class Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.labelled_ids, self.controls, self.depth_in_label = set(), [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self.depth_in_label += 1
            if a.get("for"):
                self.labelled_ids.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append((tag, a, self.depth_in_label > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.depth_in_label -= 1

    def unlabelled(self):
        return [(t, a.get("name")) for t, a, wrapped in self.controls
                if not wrapped and a.get("id") not in self.labelled_ids and not a.get("aria-label")]


@pytest.mark.parametrize("username, path", [
    ("resident1", "/report/"), ("town1", "/desk/"), ("grid111", "/queue/"), ("town1", "/e/{id}/"),
    ("county", "/stats/"), ("town1", "/report/")])
def test_every_control_has_a_label(district, username, path):
    ev = new_event(district)
    c = Client()
    c.force_login(district.users[username])
    page = c.get(path.format(id=ev.id)).content.decode()
    parser = Controls()
    parser.feed(page)
    assert parser.controls, "the page has no form controls to check"
    assert parser.unlabelled() == []


def test_the_checker_finds_an_unlabelled_control():
    p = Controls()
    p.feed('<label for="a">A</label><input id="a"><label>B <input name="b"></label><input name="c">'
           '<input name="d" aria-label="D"><input type="hidden" name="e">')
    assert p.unlabelled() == [("input", "c")]
