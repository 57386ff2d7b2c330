"""Findings of the role walks (issue 17) on pages."""
import re

from .test_pages import login


def test_the_legal_aid_form_makes_the_applicant_pick_the_place(district):
    """案件所在地 silently defaulted to the first community: now nothing is chosen until they choose."""
    html = login(district, "resident1").get("/legalaid/apply/").content.decode()
    select = re.search(r'<select id="a-area" name="area" required>(.*?)</select>', html, re.S)
    assert select, "the place is a required choice"
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(1))
    assert options[0] == ("", "") and all("selected" not in extra for _, extra in options)
