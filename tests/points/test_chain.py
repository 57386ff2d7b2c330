"""Tamper evidence: a ledger row edited behind the services' back is found by core.chain.verify_all,
by ``chain-verify`` (which exits non-zero) and on /chains/, each pointing at the row."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from gongzhi.core import chain
from gongzhi.domain.points import Source
from gongzhi.points import services as s
from gongzhi.points.models import Account, Posting

pytestmark = pytest.mark.django_db


def _points(findings):
    return next(f for f in findings if f.kind == "points")


def _ledger(mini, n=5):
    return [s.award(person=mini.people["r1" if i % 2 else "r2"], rule=Source.VOLUNTEER, key=f"v:{i}", qty=1,
                    actor=None) for i in range(n)]


def _sql(sql, *args):
    # Straight at the table: the model refuses updates (AppendOnly), a person at the database does not.
    with connection.cursor() as cur:
        cur.execute(sql.format(t=Posting._meta.db_table, a=Account._meta.db_table), args)


def _verify_command():
    out = StringIO()
    try:
        call_command("chain_verify", stdout=out)
        return out.getvalue(), True
    except CommandError:
        return out.getvalue(), False


def test_intact_chain_verifies(mini):
    _ledger(mini)
    f = _points(chain.verify_all())
    assert (f.rows, f.broken_at) == (5, None)
    text, ok = _verify_command()
    assert ok and "OK" in text and "积分流水" in text


def test_edited_points_found_at_the_row(mini):
    rows = _ledger(mini)
    _sql("UPDATE {t} SET points = 500 WHERE id = %s", rows[2].pk)
    f = _points(chain.verify_all())
    assert f.broken_at == rows[2].seq
    text, ok = _verify_command()
    assert not ok and f"第 {rows[2].seq} 条起断裂" in text


def test_edited_reason_found(mini):
    rows = _ledger(mini)
    _sql("UPDATE {t} SET reason = %s WHERE id = %s", "改过的", rows[1].pk)
    assert _points(chain.verify_all()).broken_at == rows[1].seq


def test_deleted_middle_row_found(mini):
    rows = _ledger(mini)
    _sql("DELETE FROM {t} WHERE id = %s", rows[2].pk)
    assert _points(chain.verify_all()).broken_at == rows[2].seq


def test_rehashed_row_still_found(mini):
    """Someone who edits a row and recomputes its own hash breaks the next row's link."""
    from gongzhi.domain import chain as dc
    rows = _ledger(mini)
    row = Posting.objects.get(pk=rows[1].pk)
    row.points = 400
    forged = dc.link(row.prev_hash, dc.canonical(row.chain_fields()))
    _sql("UPDATE {t} SET points = 400, hash = %s WHERE id = %s", forged, row.pk)
    assert _points(chain.verify_all()).broken_at == rows[2].seq


def test_deleted_last_row_found(mini):
    rows = _ledger(mini)
    _sql("DELETE FROM {t} WHERE id = %s", rows[-1].pk)
    assert _points(chain.verify_all()).broken_at == rows[-1].seq


def test_cached_balance_edit_found(mini):
    _ledger(mini)
    _sql("UPDATE {a} SET balance = balance + 1000 WHERE person_id = %s", mini.people["r1"].pk)
    assert _points(chain.verify_all()).broken_at is None          # the links hold…
    text, ok = _verify_command()
    assert not ok and "余额与流水合计不符" in text                  # …the balance check does not


def test_page_shows_the_break(mini):
    from django.contrib.auth import get_user_model

    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.domain.enums import Role
    rows = _ledger(mini)
    _sql("UPDATE {t} SET points = 500 WHERE id = %s", rows[3].pk)
    sup = get_user_model().objects.create_user("sup", password="x")
    RoleAssignment.objects.create(user=sup, role=Role.SUPERVISOR, area=mini.community)
    c = Client()
    c.force_login(sup)
    r = c.get("/chains/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "chains-broken" in html and f"第 {rows[3].seq} 行起断裂" in html
    c.force_login(mini.users["r1"])
    assert c.get("/chains/").status_code == 404
