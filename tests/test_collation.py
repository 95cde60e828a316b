"""French users expect "Élysée" between "eau" and "Zola", on SQLite and PostgreSQL."""

import pytest

from contratville.collation import french
from projects.models import Operator
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db


def test_names_sort_the_french_way():
    for name in ["Zola", "Élysée", "eau", "Association Zèbre", "association abc", "Œuvre"]:
        OperatorFactory(name=name)
    names = list(Operator.objects.order_by(french("name")).values_list("name", flat=True))
    assert names == ["association abc", "Association Zèbre", "eau", "Élysée", "Œuvre", "Zola"]
    assert (
        list(Operator.objects.order_by(french("name").desc()).values_list("name", flat=True)) == names[::-1]
    )
