import random
from datetime import date

import pytest

from dangjian import factories as f
from dangjian.compliance.models import Exemption
from dangjian.demo import compliance as demo
from dangjian.demo.context import DemoContext
from dangjian.orgs.models import UnitKind


@pytest.mark.django_db
def test_demo_exempts_branches_of_bankrupt_enterprises(cast):
    ended = f.org(
        "破产企业党支部", parent=cast["organ"], units=[f.unit("某破产终结企业", UnitKind.BANKRUPT_ENDED)]
    )
    ctx = DemoContext(rng=random.Random(1), today=date(2026, 5, 1), log=lambda *a: None)
    demo.seed(ctx)
    demo.seed(ctx)  # idempotent
    ex = Exemption.objects.get()
    assert ex.organization == ended and ex.requirement.key == "theme_day"
    assert (ex.starts_on, ex.ends_on) == (date(2026, 1, 1), date(2026, 12, 31))
