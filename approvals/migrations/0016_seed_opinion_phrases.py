"""The common opinion phrases first offered (those approvals/phrases.py held in code), each with its first
history row ("seed"), so the admins' later edits are recorded against them."""

from django.db import migrations
from django.utils import timezone

PHRASES = {
    "send_to_decision": [
        "申请材料齐全，符合法定形式。",
        "经审查，申请人符合法定条件和标准，建议准予许可。",
        "经现场核查，实际情况与申请材料一致。",
        "经审查，申请人不符合法定条件，建议不予许可。",
    ],
    "approve": [
        "同意审查意见，准予许可。",
        "符合法定条件和标准，准予许可。",
    ],
    "deny": [
        "申请人不符合法定条件和标准。",
        "申请材料所载内容与实际情况不符。",
        "拟从事的活动依法需要取得的前置许可尚未取得。",
    ],
}


def seed(apps, schema_editor):
    Phrase = apps.get_model("approvals", "OpinionPhrase")
    History = apps.get_model("approvals", "HistoricalOpinionPhrase")
    now = timezone.now()
    for transition, texts in PHRASES.items():
        if Phrase.objects.filter(transition=transition).exists():
            continue
        for order, text in enumerate(texts, start=1):
            phrase = Phrase.objects.create(transition=transition, text=text, order=order, active=True)
            History.objects.create(
                id=phrase.pk,
                transition=transition,
                text=text,
                order=order,
                active=True,
                history_date=now,
                history_type="+",
                history_change_reason="seed",
            )


def unseed(apps, schema_editor):
    apps.get_model("approvals", "OpinionPhrase").objects.all().delete()
    apps.get_model("approvals", "HistoricalOpinionPhrase").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0015_opinion_phrases")]

    operations = [migrations.RunPython(seed, unseed)]
