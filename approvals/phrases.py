"""Common opinion phrases (常用意见) the reviewer and the decider pick from: for each transition, the field
the phrase goes into and the phrases. Clicking one puts it into the opinion (portal.js); without
JavaScript the ticked phrases are put before whatever was typed when the form is sent."""

from django.utils.translation import gettext_lazy as _

# transition name → (the form field the phrases go into, the phrases)
PHRASES = {
    "send_to_decision": (
        "opinion",
        [
            _("申请材料齐全，符合法定形式。"),
            _("经审查，申请人符合法定条件和标准，建议准予许可。"),
            _("经现场核查，实际情况与申请材料一致。"),
            _("经审查，申请人不符合法定条件，建议不予许可。"),
        ],
    ),
    "approve": (
        "opinion",
        [
            _("同意审查意见，准予许可。"),
            _("符合法定条件和标准，准予许可。"),
        ],
    ),
    "deny": (
        "reasons",
        [
            _("申请人不符合法定条件和标准。"),
            _("申请材料所载内容与实际情况不符。"),
            _("拟从事的活动依法需要取得的前置许可尚未取得。"),
        ],
    ),
}
