"""Fans no longer like their own comments (community.services.talk.comment_like): the likes
given before go, and the counts they added with them."""

from django.db import migrations
from django.db.models import F


def remove_self_likes(apps, schema_editor):
    Comment = apps.get_model("community", "Comment")
    CommentLike = apps.get_model("community", "CommentLike")
    own = CommentLike.objects.filter(user_id=F("comment__author_id"))
    # A fan likes a comment once (a unique constraint): one like off each comment's count.
    liked = list(own.values_list("comment_id", flat=True))
    own.delete()
    for start in range(0, len(liked), 1000):
        Comment.objects.filter(pk__in=liked[start : start + 1000]).update(
            like_count=F("like_count") - 1
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0010_suggested_corrections")]

    operations = [migrations.RunPython(remove_self_likes, migrations.RunPython.noop)]
