"""A list of ids as one parameter finds the rows a plain `pk__in` finds, for any count, and a
compiled query takes each caller's own list."""

import pytest
from django.db.models import F

from catalog.models import MusicVideo
from foundation.any_of import AnyOf
from foundation.compiled_queries import CompiledQuery
from tests.factories import make_video

pytestmark = pytest.mark.django_db


def test_the_rows_whose_id_is_in_the_list():
    videos = [make_video() for _ in range(4)]
    wanted = [videos[0].pk, videos[2].pk, 10**12]  # an id of nothing finds nothing
    found = MusicVideo.objects.filter(AnyOf(F("pk"), wanted)).order_by("pk")
    assert list(found) == [videos[0], videos[2]]
    assert not MusicVideo.objects.filter(AnyOf(F("pk"), [])).exists()


def test_one_compiled_statement_serves_lists_of_any_length():
    videos = [make_video() for _ in range(3)]
    query = CompiledQuery(
        lambda ids: MusicVideo.objects.filter(AnyOf(F("pk"), ids)).order_by("pk").values_list("pk"),
        [-8_070_450_532_247_928_000],
    )
    assert query.rows([videos[1].pk]) == [(videos[1].pk,)]
    assert query.rows([v.pk for v in videos]) == [(v.pk,) for v in videos]
    assert query.rows([]) == []
