import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Replies' index gains the id, the tie-breaker of their (created_at, id) order, and serves
    lookups by parent alone: the parent-only index goes."""

    dependencies = [
        ("community", "0006_field_labels"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="comment", name="community_comment_reply_idx"),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                fields=["parent", "created_at", "id"], name="community_comment_reply_idx"
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="replies",
                to="community.comment",
            ),
        ),
    ]
