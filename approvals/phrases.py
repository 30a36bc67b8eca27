"""Common opinion phrases (常用意见) the reviewer and the decider pick from: for each transition, the field
the phrase goes into, and the phrases — catalogue data the admins keep in the admin, with history
(``OpinionPhrase``; the first ones are seeded by a data migration). Clicking one puts it into the opinion
(portal.js); without JavaScript the ticked phrases are put before whatever was typed when the form is sent."""

from django.utils.translation import gettext_lazy as _

from portal.audit import audited_save

from .constants import PhraseTransition
from .models import OpinionPhrase

# transition name → the form field its phrases go into
PHRASE_TARGETS = {
    PhraseTransition.SEND_TO_DECISION.value: "opinion",
    PhraseTransition.APPROVE.value: "opinion",
    PhraseTransition.DENY.value: "reasons",
}

# The phrases first offered (migration 00xx_opinion_phrases seeds a copy of these; load_demo too, for a
# flushed test database).
DEFAULT_PHRASES = {
    PhraseTransition.SEND_TO_DECISION.value: [
        _("申请材料齐全，符合法定形式。"),
        _("经审查，申请人符合法定条件和标准，建议准予许可。"),
        _("经现场核查，实际情况与申请材料一致。"),
        _("经审查，申请人不符合法定条件，建议不予许可。"),
    ],
    PhraseTransition.APPROVE.value: [
        _("同意审查意见，准予许可。"),
        _("符合法定条件和标准，准予许可。"),
    ],
    PhraseTransition.DENY.value: [
        _("申请人不符合法定条件和标准。"),
        _("申请材料所载内容与实际情况不符。"),
        _("拟从事的活动依法需要取得的前置许可尚未取得。"),
    ],
}


def phrases_for(transition: str) -> list[str]:
    """The phrases in use on ``transition``'s form, in the admins' order."""
    return list(
        OpinionPhrase.objects.filter(transition=transition, active=True)
        .order_by("order", "id")
        .values_list("text", flat=True)
    )


def phrases_seed() -> int:
    """The default phrases of every transition that has none yet (load_demo); returns how many were added."""
    added = 0
    for transition, texts in DEFAULT_PHRASES.items():
        if OpinionPhrase.objects.filter(transition=transition).exists():
            continue
        for order, text in enumerate(texts, start=1):
            phrase = OpinionPhrase(transition=transition, text=str(text), order=order)
            audited_save(phrase, actor=None, reason="seed")
            added += 1
    return added
