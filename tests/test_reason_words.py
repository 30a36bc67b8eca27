"""History reasons and notification events reach the screen in words (issue 16): the services record short
codes, the admin and the staff pages show their labels."""

from django.utils import translation

from approvals.models import Case
from complaints.models import Complaint
from intake.models import Item
from licences.models import Licence
from portal.audit import reason_label
from portal.notifications.catalog import DEFAULTS
from portal.notifications.constants import Event
from supervision.models import Alert


def test_recorded_reasons_read_as_words():
    with translation.override("zh-hans"):
        assert reason_label("accept", Case) == "受理"
        assert reason_label("alert_scan: raised", Alert) == "系统扫描：生成预警"
        # a code with a note after it: the label, then the note
        assert reason_label("callback: 已电话回访") == "记录回访：已电话回访"
        assert reason_label("unpublish: 含敏感信息", Complaint) == "撤回公示：含敏感信息"
        # one code, two meanings: each model's own words
        assert reason_label("publish", Item) == "发布事项"
        assert reason_label("publish", Complaint) == "公示处理结果"
        assert reason_label("revoke", Licence) == "许可被撤销，证照作废"
        assert reason_label("revoke", Case) == "撤销许可（承诺不实）"
        # words already (an import's summary, a revert) stay as they are
        assert reason_label("目录导入：份数 1→2", Item) == "目录导入：份数 1→2"
        assert reason_label("", Case) == ""


def test_every_event_has_a_name():
    assert set(Event.values) == set(DEFAULTS)
    with translation.override("zh-hans"):
        assert Event("alert.raised").label == "效能预警"
