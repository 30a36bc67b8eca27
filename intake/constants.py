from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    LICENSE = "license", _("行政许可")
    OTHER = "other", _("其他行政权力")
    SERVICE = "service", _("公共服务")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class DeliveryMethod(models.TextChoices):
    """How the result reaches the applicant (送达, DESIGN §11): chosen when applying, changeable before
    delivery. Post is free of charge (免费寄)."""

    WINDOW = "window", _("窗口领取")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子证照")


# One plain line per delivery method, for applicants choosing one.
DELIVERY_HINTS = {
    DeliveryMethod.WINDOW: _("办结后到办理窗口领取纸质结果，带上身份证件。"),
    DeliveryMethod.POST: _("办结后免费邮寄到您填写的地址，寄出后短信告诉您快递单号。"),
    DeliveryMethod.ELECTRONIC: _("不领纸质结果，批准后电子证照马上可以在“我的证照”下载。"),
}


class HandlingMode(models.TextChoices):
    INSTANT = "instant", _("即办件")
    PROMISED = "promised", _("承诺件")
    DEFERRED = "deferred", _("容缺受理")
    COMMITMENT = "commitment", _("告知承诺")
    PARALLEL = "parallel", _("并联审批")


# One plain line per handling mode, for applicants choosing one (DESIGN §2).
MODE_HINTS = {
    HandlingMode.INSTANT: _("材料齐全的，窗口当场办结，不用再跑第二次。"),
    HandlingMode.PROMISED: _("受理后在承诺时限内办结，结果会通知您。"),
    HandlingMode.DEFERRED: _("次要材料暂缺也可先受理，您承诺在规定日期前补齐，补齐后才发结果。"),
    HandlingMode.COMMITMENT: _("您书面承诺符合条件，当场作出决定，之后再上门或书面核查。"),
    HandlingMode.PARALLEL: _("涉及几个部门的，同时审查，一次提交，不用分别跑。"),
}

# Art. 32 行政许可法: the window answers an application (accept, correction notice or refusal) within 5
# working days of the day it is received; silent past that, it counts as accepted.
ACCEPTANCE_ANSWER_DAYS = 5


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件和复印件")
    ELECTRONIC = "electronic", _("电子材料")


class FieldKind(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选择")


class StepRole(models.TextChoices):
    INTAKE = "intake", _("受理")
    REVIEW = "review", _("审查")
    DECISION = "decision", _("决定")
    DELIVERY = "delivery", _("送达")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口申请")
    LEGACY = "legacy", _("历史系统迁移")


class MaterialCheck(models.TextChoices):
    PENDING = "pending", _("待核验")
    RECEIVED = "received", _("已收取")
    MISSING = "missing", _("缺少")
    FAULTY = "faulty", _("不符合要求")
    DEFERRED = "deferred", _("容缺后补")
