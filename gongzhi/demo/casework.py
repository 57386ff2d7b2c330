"""The demo district's mediation committees, mediators, legal-aid offices and lawyers.

Community mediators log in as the district's ``med{t}{c}`` users; township mediators as
``tmed{t}``; the county legal-aid centre as ``aid``, a township workstation as ``aid2`` and one
lawyer as ``lawyer1`` (all with the demo password).
"""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from gongzhi.accounts.models import Profile
from gongzhi.domain.mediation import OrgKind
from gongzhi.legalaid.models import Lawyer, LivingStandard, Office
from gongzhi.legalaid.reference import ensure_exempt_categories
from gongzhi.mediation.models import DisputeType, Mediator, Organisation
from gongzhi.mediation.reference import ensure_dispute_types

from .district import GIVEN, SURNAMES, District

DIALECTS = ["闽南话", "客家话", "普通话"]
# (name, firm, practice years, criminal-defence years, juvenile, specialties)
LAWYERS = [
    ("陈志明", "福建漳诚律师事务所", 15, 12, False, "criminal"),
    ("林晓燕", "福建漳诚律师事务所", 8, 1, True, "marriage,labour"),
    ("黄建国", "福建芗江律师事务所", 20, 6, True, "criminal,traffic"),
    ("郑丽娟", "福建芗江律师事务所", 4, 0, False, "labour,injury,contract"),
    ("吴海涛", "福建圆山律师事务所", 2, 2, False, "criminal"),
    ("蔡雅琴", "福建圆山律师事务所", 11, 0, False, "medical,property,contract"),
]


def _login(d: District, username: str, name: str, hashed: str, where: str):
    User = get_user_model()
    user = d.users.get(username)
    if user is None:
        user = User.objects.create(username=username, password=hashed)
        Profile.objects.create(user=user, display_name=name, phone="")
        d.users[username] = user
        d.logins.append((username, where, where))
    return user


def build_casework(d: District, seed: int = 11) -> None:
    ensure_dispute_types()
    ensure_exempt_categories()
    rng = random.Random(seed)
    hashed = d.users["admin"].password
    types = {t.code: t for t in DisputeType.objects.all()}

    def person():
        return rng.choice(SURNAMES) + rng.choice(GIVEN)

    def phone():
        return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"

    for ti, town in enumerate(d.townships, 1):
        org = Organisation.objects.create(code=f"{town.code}-tjw", name=f"{town.name}人民调解委员会",
                                          kind=OrgKind.TOWNSHIP, area=town, phone=phone(),
                                          address=f"{town.name}综治中心调解室")
        user = _login(d, f"tmed{ti}", person(), hashed, f"{town.name}调委会")
        m = Mediator.objects.create(org=org, user=user, name=user.profile.display_name, phone=phone(), level=2,
                                    dialects="闽南话、普通话", title="首席调解员")
        m.types.set([types["land"], types["demolition"], types["homestead"]])
        Mediator.objects.create(org=org, name=person(), phone=phone(), level=3, dialects=rng.choice(DIALECTS))
    for comm in d.communities:
        t, c = d.townships.index(comm.parent) + 1, int(comm.code[-3:])
        kind = OrgKind.VILLAGE
        org = Organisation.objects.create(code=f"{comm.code}-tjw", name=f"{comm.name}人民调解委员会", kind=kind,
                                          area=comm, phone=phone(), address=f"{comm.name}党群服务中心")
        user = d.users[f"med{t}{c}"]
        m = Mediator.objects.create(org=org, user=user, name=user.profile.display_name, phone=user.profile.phone,
                                    level=3, dialects="闽南话、普通话", title="三级人民调解员")
        m.types.set([types["neighbour"], types["marriage"]])
        for _ in range(2):
            other = Mediator.objects.create(org=org, name=person(), phone=phone(), level=rng.choice([3, 4, 5]),
                                            dialects=rng.choice(DIALECTS))
            other.types.set(rng.sample([types["neighbour"], types["property"], types["consumer"],
                                        types["betrothal"]], 2))
    for code, name, type_codes in [("traffic", "芗城区道路交通事故纠纷人民调解委员会", ["traffic"]),
                                   ("medical", "芗城区医疗纠纷人民调解委员会", ["medical"]),
                                   ("labour", "芗城区劳动争议人民调解委员会", ["labour", "wages"])]:
        org = Organisation.objects.create(code=f"{d.county.code}-{code}", name=name, kind=OrgKind.PROFESSIONAL,
                                          area=d.county, phone=phone(), address="芗城区公共法律服务中心")
        org.types.set([types[c] for c in type_codes])
        for level in (1, 3):
            m = Mediator.objects.create(org=org, name=person(), phone=phone(), level=level, dialects="普通话",
                                        title="金牌调解员" if level == 1 else "")
            m.types.set([types[c] for c in type_codes])

    # a famous individual mediator's studio (个人调解工作室) in the first township, for neighbours and families
    studio = Organisation.objects.create(code=f"{d.townships[0].code}-studio", name="老林调解工作室",
                                         kind=OrgKind.STUDIO, area=d.townships[0], phone=phone(),
                                         address=f"{d.townships[0].name}综治中心二楼")
    famous = Mediator.objects.create(org=studio, name="林德顺", phone=phone(), level=1, dialects="闽南话、普通话",
                                     title="全国模范人民调解员")
    famous.types.set([types["neighbour"], types["marriage"], types["homestead"]])
    LivingStandard.objects.create(area=d.county, monthly=Decimal("900"), since=date(2026, 1, 1))
    centre = Office.objects.create(code=f"{d.county.code}-fyzx", name="芗城区法律援助中心", area=d.county,
                                   supervisor="芗城区司法局", phone=phone(), address="芗城区公共法律服务中心一楼")
    centre.staff.add(_login(d, "aid", person(), hashed, "区法律援助中心"))
    station = Office.objects.create(code=f"{d.townships[0].code}-fygzz", name=f"{d.townships[0].name}法律援助工作站",
                                    area=d.townships[0], supervisor="芗城区司法局", phone=phone())
    station.staff.add(_login(d, "aid2", person(), hashed, f"{d.townships[0].name}法律援助工作站"))
    for i, (name, firm, years, crim, juv, spec) in enumerate(LAWYERS):
        user = _login(d, "lawyer1", name, hashed, "援助律师") if i == 0 else None
        Lawyer.objects.create(user=user, name=name, firm=firm, phone=phone(), practice_years=years,
                              criminal_years=crim, juvenile=juv, specialties=spec)
