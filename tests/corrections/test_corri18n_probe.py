"""TEMPORARY probe (corri18n helper): print Han text left in English pages. Deleted after use."""
import re

from django.test import Client

HAN = re.compile(r"[\u3400-\u9fff]")


def han_bits(html):
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    bits = re.findall(r">([^<>]+)<", html)
    bits += re.findall(r'(?:aria-label|placeholder|title|alt|value)="([^"]*)"', html)
    return sorted({b.strip() for b in bits if HAN.search(b)})


def test_probe(district, corr):
    from gongzhi.corrections.models import Subject, VisitTask
    seen = {}
    for user in ("sqjz", "sfs1", "jcg1"):
        c = Client()
        c.force_login(district.users[user])
        c.cookies["django_language"] = "en"
        urls = ["/corrections/", "/corrections/?tab=active", "/corrections/oversight/", "/corrections/new/"]
        for kind, subs in corr["subjects"].items():
            urls += [f"/corrections/{s.pk}/" for s in subs[:1]]
        for url in urls:
            r = c.get(url)
            if r.status_code != 200:
                print("###", user, url, r.status_code)
                continue
            html = r.content.decode()
            assert 'lang="en"' in html
            for b in han_bits(html):
                seen.setdefault(b, f"{user} {url}")
    for b, where in sorted(seen.items(), key=lambda x: x[1]):
        if not re.match(r"^[\d\- :]+", b) or True:
            print(where, "|", b)
    # the grid team's tasks on /queue/
    for t in VisitTask.objects.all()[:1]:
        print("task", t.__dict__)
