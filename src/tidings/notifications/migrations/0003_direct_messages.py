from django.db import migrations


def messages_to_direct_posts(apps, schema_editor):
    """Each message becomes a post of the direct audience in its conversation, keeping its id
    (ids are unique across tables), so the conversations' read marks still point at it."""
    message_model = apps.get_model("notifications", "Message")
    post_model = apps.get_model("posts", "Post")
    batch = []
    for m in message_model.objects.order_by("id").iterator(chunk_size=1000):
        batch.append(
            post_model(
                id=m.id,
                author_id=m.sender_id,
                audience_owner_id=m.sender_id,
                kind="post",
                audience="direct",
                conversation_id=m.conversation_id,
                text=m.text,
                created_at=m.created_at,
            )
        )
        if len(batch) >= 1000:
            post_model.objects.bulk_create(batch)
            batch = []
    post_model.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_alter_notification_kind"),
        ("posts", "0006_direct_messages"),
    ]

    operations = [
        migrations.RunPython(messages_to_direct_posts, migrations.RunPython.noop),
        migrations.DeleteModel(name="Message"),
    ]
