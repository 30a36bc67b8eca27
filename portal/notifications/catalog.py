"""Built-in wording of every event, in Chinese and English (Django template syntax over the event's
context). Admins override any of them with a MessageTemplate row, without a deploy."""

# event: {language: (subject, body)}
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "application.received": {
        "zh-hans": (
            "申请已收到：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "您申请的“{{ item_name }}”已提交，申报号{{ reference }}。窗口将在5个工作日内作出受理决定。",
        ),
        "en": (
            "Application received: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Your application for “{{ item_name }}” was submitted, reference {{ reference }}. The window decides on acceptance within 5 working days.",
        ),
    },
    "case.correction_requested": {
        "zh-hans": (
            "请补正申请材料：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）需一次性补正：{% for m in materials %}{{ m.name }}（{{ m.problem }}）{% if not forloop.last %}；{% endif %}{% endfor %}。{{ note }}",
        ),
        "en": (
            "Please correct your application: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }} ({{ item_name }}) needs, all at once: {% for m in materials %}{{ m.name }} ({{ m.problem }}){% if not forloop.last %}; {% endif %}{% endfor %}. {{ note }}",
        ),
    },
    "case.not_accepted": {
        "zh-hans": (
            "申请不予受理：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}不予受理，理由：{{ reason }}{% if legal_basis %}。依据：{{ legal_basis }}{% endif %}{% if remedies %}。{{ remedies }}{% endif %}",
        ),
        "en": (
            "Application not accepted: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} was not accepted. Reason: {{ reason }}{% if legal_basis %}. Legal basis: {{ legal_basis }}{% endif %}{% if remedies %}. {{ remedies }}{% endif %}",
        ),
    },
    "case.accepted": {
        "zh-hans": (
            "申请已受理：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）已受理，承诺办结日期{{ promised_due }}，法定办结日期{{ statutory_due }}{% if provisional %}（暂定）{% endif %}。",
        ),
        "en": (
            "Application accepted: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }} ({{ item_name }}) was accepted. Promised by {{ promised_due }}, statutory limit {{ statutory_due }}{% if provisional %} (provisional){% endif %}.",
        ),
    },
    "case.suspended": {
        "zh-hans": (
            "办理进入特别程序：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}因{{ kind }}中止计时，预计{{ expected_days }}个工作日。理由：{{ reason }}",
        ),
        "en": (
            "Special procedure started: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} is paused for {{ kind }}, expected {{ expected_days }} working days. Reason: {{ reason }}",
        ),
    },
    "case.resumed": {
        "zh-hans": (
            "恢复办理：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}特别程序结束，恢复计时。承诺办结日期{{ promised_due }}，法定办结日期{{ statutory_due }}。",
        ),
        "en": (
            "Handling resumed: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} resumed. Promised by {{ promised_due }}, statutory limit {{ statutory_due }}.",
        ),
    },
    "case.extended": {
        "zh-hans": (
            "办理期限延长：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}经负责人批准延长法定期限至{{ statutory_due }}。理由：{{ reason }}",
        ),
        "en": (
            "Time limit extended: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "The statutory limit of reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} was extended to {{ statutory_due }}. Reason: {{ reason }}",
        ),
    },
    "case.approved": {
        "zh-hans": (
            "准予许可：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）已准予许可。",
        ),
        "en": (
            "Approved: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }} ({{ item_name }}) was approved.",
        ),
    },
    "case.denied": {
        "zh-hans": (
            "不予许可：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）不予许可。理由：{{ reasons }}。{{ remedies }}",
        ),
        "en": (
            "Not approved: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }} ({{ item_name }}) was not approved. Reasons: {{ reasons }}. {{ remedies }}",
        ),
    },
    "case.result_ready": {
        "zh-hans": (
            "办理结果已送达：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}的结果已{{ method }}{% if tracking_number %}，{% if carrier %}{{ carrier }}{% endif %}邮寄单号{{ tracking_number }}{% endif %}{% if place %}，领取地点{{ place }}{% endif %}。",
        ),
        "en": (
            "Result delivered: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "The result of reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %}: {{ method }}{% if tracking_number %}, {% if carrier %}{{ carrier }} {% endif %}tracking number {{ tracking_number }}{% endif %}{% if place %}, at {{ place }}{% endif %}.",
        ),
    },
    "case.licence_reissued": {
        "zh-hans": (
            "证照已换发：{{ title }}（{{ reference }}）",
            "您的{{ title }}已换发新证，新证编号{{ number }}，可在“我的证照”下载。原证{{ old_number }}作废，核验时显示“已换发”。",
        ),
        "en": (
            "Licence re-issued: {{ title }} ({{ reference }})",
            "Your {{ title }} was re-issued with the new number {{ number }}; download it under “My licences”. The old one, {{ old_number }}, is void and verifies as replaced.",
        ),
    },
    "case.withdrawn": {
        "zh-hans": (
            "申请已撤回：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}已撤回。",
        ),
        "en": (
            "Application withdrawn: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} was withdrawn.",
        ),
    },
    "case.terminated": {
        "zh-hans": (
            "办理终止：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}已终止办理。理由：{{ reason }}",
        ),
        "en": (
            "Handling terminated: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Handling of reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} was terminated. Reason: {{ reason }}",
        ),
    },
    "case.revoked": {
        "zh-hans": (
            "许可已撤销：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}的许可已撤销。理由：{{ reason }}",
        ),
        "en": (
            "Approval revoked: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "The approval of reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} was revoked. Reason: {{ reason }}",
        ),
    },
    "rating.invitation": {
        "zh-hans": (
            "请评价本次服务：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}已办结，请对本次服务作出评价：{{ url }}",
        ),
        "en": (
            "Please rate the service: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "Reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} is concluded. Please rate the service: {{ url }}",
        ),
    },
    "rating.reminder": {
        "zh-hans": (
            "提醒：请评价本次服务：{% if item_name %}{{ item_name }}{% endif %}（{{ reference }}）",
            "您尚未评价申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}的服务，欢迎评价：{{ url }}",
        ),
        "en": (
            "Reminder: please rate the service: {% if item_name %}{{ item_name }} {% endif %}({{ reference }})",
            "You have not yet rated reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %}: {{ url }}",
        ),
    },
    "complaint.registered": {
        "zh-hans": ("投诉已登记", "您的效能投诉已登记，编号{{ number }}，我们将在规定时限内办结并告知结果。"),
        "en": (
            "Complaint registered",
            "Your complaint was registered as {{ number }}; you will hear the result within the time limit.",
        ),
    },
    "complaint.concluded": {
        "zh-hans": ("投诉已办结", "投诉{{ number }}已办结。调查结论：{{ finding }}；处理情况：{{ action }}"),
        "en": (
            "Complaint concluded",
            "Complaint {{ number }} is concluded. Finding: {{ finding }}; action: {{ action }}",
        ),
    },
    "complaint.assigned": {
        "zh-hans": ("新投诉待办", "投诉{{ number }}已分派给您办理。"),
        "en": ("New complaint", "Complaint {{ number }} was assigned to you."),
    },
    "staff.new_work": {
        "zh-hans": (
            "新的待办件",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}已进入您的{% if queue == 'review' %}审查待办{% elif queue == 'decision' %}决定待办{% elif queue == 'intake' %}受理待办（补正材料已提交）{% elif queue == 'extension' %}延期审批待办{% else %}待办{% endif %}。",
        ),
        "en": (
            "New work",
            "Reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} is now in your {% if queue == 'review' %}review{% elif queue == 'decision' %}decision{% elif queue == 'intake' %}intake{% elif queue == 'extension' %}extension approval{% endif %} queue.",
        ),
    },
    "staff.new_submission": {
        "zh-hans": (
            "新的网上申请待受理：{{ item_name }}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）已在网上提交，进入综合受理窗口待受理队列，请在5个工作日内作出受理决定。",
        ),
        "en": (
            "New online application to accept: {{ item_name }} ({{ reference }})",
            "Reference {{ reference }} ({{ item_name }}) was submitted online and is in the window's intake queue; decide on acceptance within 5 working days.",
        ),
    },
    "staff.refusal_proposed": {
        "zh-hans": (
            "不予受理待签批：{{ item_name }}（{{ reference }}）",
            "综合受理窗口提请对申报号{{ reference }}（{{ item_name }}）不予受理，理由：{{ reasons }}；依据：{{ legal_basis }}。请在平台签批（同意或退回）。",
        ),
        "en": (
            "Refusal to sign off: {{ item_name }} ({{ reference }})",
            "The window proposes not to accept reference {{ reference }} ({{ item_name }}). Reasons: {{ reasons }}; legal basis: {{ legal_basis }}. Please approve or send it back in the portal.",
        ),
    },
    "staff.refusal_decided": {
        "zh-hans": (
            "{% if approved %}不予受理已签批{% else %}不予受理提请被退回{% endif %}：{{ item_name }}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）的不予受理提请{% if approved %}已获负责人同意，已作出不予受理决定{% else %}被负责人退回，请继续办理（受理或一次性告知补正）{% endif %}。{% if note %}意见：{{ note }}{% endif %}",
        ),
        "en": (
            "{% if approved %}Refusal signed off{% else %}Refusal sent back{% endif %}: {{ item_name }} ({{ reference }})",
            "The refusal proposal for reference {{ reference }} ({{ item_name }}) was {% if approved %}approved; the application is not accepted{% else %}sent back; please continue (accept or ask for a correction){% endif %}. {% if note %}Note: {{ note }}{% endif %}",
        ),
    },
    "case.after_check_passed": {
        "zh-hans": (
            "事后核查通过：{{ item_name }}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）按告知承诺办理的许可已通过事后核查。",
        ),
        "en": (
            "After-check passed: {{ item_name }} ({{ reference }})",
            "The approval on commitment of reference {{ reference }} ({{ item_name }}) passed its after-check.",
        ),
    },
    "staff.co_approval_new": {
        "zh-hans": (
            "并联审批协办待办：{{ item_name }}（{{ reference }}）",
            "{{ lead }}牵头办理的申报号{{ reference }}（{{ item_name }}）已受理，请贵部门于{{ due_on }}前在平台答复协办意见（同意、附条件同意或不同意并说明理由）；逾期未答复的视为同意。",
        ),
        "en": (
            "Parallel approval, your part: {{ item_name }} ({{ reference }})",
            "Reference {{ reference }} ({{ item_name }}), led by {{ lead }}, was accepted. Please answer in the portal by {{ due_on }} (agree, agree with conditions, or disagree with reasons); no answer by then counts as consent.",
        ),
    },
    "staff.co_approval_answered": {
        "zh-hans": (
            "协办意见：{{ department }}{{ answer_label }}：{{ item_name }}（{{ reference }}）",
            "协办部门{{ department }}对申报号{{ reference }}（{{ item_name }}）的意见：{{ answer_label }}。{% if opinion %}{{ opinion }}{% endif %}{% if answer == 'object' %}记录分歧处理结果前不能准予许可。{% endif %}",
        ),
        "en": (
            "Co-department answer: {{ department }}, {{ answer_label }}: {{ item_name }} ({{ reference }})",
            "{{ department }} answered on reference {{ reference }} ({{ item_name }}): {{ answer_label }}. {% if opinion %}{{ opinion }}{% endif %}{% if answer == 'object' %} The case cannot be approved until the disagreement's resolution is recorded.{% endif %}",
        ),
    },
    "staff.co_approval_resolved": {
        "zh-hans": (
            "分歧处理结果：{{ item_name }}（{{ reference }}）",
            "{{ lead }}已记录申报号{{ reference }}（{{ item_name }}）与贵部门分歧的处理结果：{{ resolution }}",
        ),
        "en": (
            "Disagreement resolved: {{ item_name }} ({{ reference }})",
            "{{ lead }} recorded how the disagreement on reference {{ reference }} ({{ item_name }}) was resolved: {{ resolution }}",
        ),
    },
    "staff.deferred_supplied": {
        "zh-hans": (
            "容缺后补材料待核验：{{ item_name }}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）的容缺后补材料已上传，请核验。",
        ),
        "en": (
            "Deferred materials to check: {{ item_name }} ({{ reference }})",
            "The deferred materials of reference {{ reference }} ({{ item_name }}) were uploaded; please check them.",
        ),
    },
    "case.deferred_faulty": {
        "zh-hans": (
            "容缺后补材料需重新提交：{{ item_name }}（{{ reference }}）",
            "申报号{{ reference }}（{{ item_name }}）的容缺后补材料经核验不符合要求：{{ note }}。请于{{ supply_by }}前重新上传。",
        ),
        "en": (
            "Deferred materials to upload again: {{ item_name }} ({{ reference }})",
            "The deferred materials of reference {{ reference }} ({{ item_name }}) are not in order: {{ note }}. Please upload them again by {{ supply_by }}.",
        ),
    },
    "staff.step_warning": {
        "zh-hans": (
            "环节超时提醒",
            "申报号{{ reference }}的“{{ step }}”环节时限为{{ step_due }}，请及时办理。",
        ),
        "en": ("Step limit warning", "Step “{{ step }}” of reference {{ reference }} is due {{ step_due }}."),
    },
    "alert.raised": {
        "zh-hans": (
            "效能预警：{{ level_label }}",
            "申报号{{ reference }}{% if item_name %}（{{ item_name }}）{% endif %}触发{{ level_label }}，{% if level == 'after_check_overdue' %}事后核查期限{% else %}办结期限{% endif %}{{ due }}。",
        ),
        "en": (
            "Efficiency alert: {{ level_label }}",
            "Reference {{ reference }}{% if item_name %} ({{ item_name }}){% endif %} raised a {{ level_label }} alert; {% if level == 'after_check_overdue' %}after-check {% endif %}due {{ due }}.",
        ),
    },
    "ticket.opened": {
        "zh-hans": (
            "差评整改工单",
            "申报号{{ reference }}收到差评，已生成整改工单{{ number }}，请按期回访整改。",
        ),
        "en": (
            "Rectification ticket",
            "Reference {{ reference }} received a bad rating; ticket {{ number }} was opened.",
        ),
    },
    "ticket.cancelled": {
        "zh-hans": (
            "整改工单已撤销",
            "申报号{{ reference }}的差评经申诉复核作废，整改工单{{ number }}已撤销。",
        ),
        "en": (
            "Rectification ticket cancelled",
            "The bad rating of reference {{ reference }} was voided on appeal; ticket {{ number }} is cancelled.",
        ),
    },
    "staff.daily_digest": {
        "zh-hans": (
            "今日待办摘要",
            "{% for line in items %}{{ line }}\n{% empty %}今日没有到期的待办件。{% endfor %}",
        ),
        "en": (
            "Today's digest",
            "{% for line in items %}{{ line }}\n{% empty %}Nothing is due today.{% endfor %}",
        ),
    },
    "hall.appointment_reminder": {
        "zh-hans": (
            "预约提醒：{{ business_type }}",
            "您预约了{{ date }}{{ half }}{% if start %}（{{ start }}起）{% endif %}到政务服务大厅办理“{{ business_type }}”，请按时到场签到取号；如不能到场请在今天取消或改约，未到场将记为爽约。",
        ),
        "en": (
            "Appointment reminder: {{ business_type }}",
            "You booked {{ date }} {{ half }}{% if start %} (from {{ start }}){% endif %} at the service hall for “{{ business_type }}”. Please check in on time, or cancel or change it today; a missed slot counts as a no-show.",
        ),
    },
    "hall.wait_alert": {
        "zh-hans": (
            "大厅等候超时预警：{{ business_type }}",
            "“{{ business_type }}”最长等候已达{{ minutes }}分钟，请调配窗口。",
        ),
        "en": (
            "Service hall waiting alert: {{ business_type }}",
            "The longest wait for “{{ business_type }}” has reached {{ minutes }} minutes.",
        ),
    },
}
GENERIC = {"zh-hans": ("通知", "{{ reference }}"), "en": ("Notice", "{{ reference }}")}
