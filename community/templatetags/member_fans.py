from django import template

from catalog.models import Member
from community.models import Profile

register = template.Library()


@register.simple_tag
def favourite_count(member: Member) -> int:
    """How many fans chose this member as their favourite (one indexed count)."""
    return Profile.objects.filter(favourite_member=member).count()
