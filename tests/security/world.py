"""The data behind the permission matrix and the API fuzzer: one user per role and, for every kind of
object a URL can name, one object in department A / of the citizen and one in department B / of the
enterprise. Built with the shared factories in a few hundred milliseconds.

Scopes used by the matrix table:
- "A": the citizen's case (department A), its application, material, complaint, alert, rating.
  For the citizen and for department A's reviewer / decider / head this is *their own* object.
- "B": the enterprise's case in department B and its objects: another applicant's and another
  department's object for everyone but the enterprise, the clerk and the efficiency office.
"""

import datetime
import hashlib
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from approvals.models import SubApproval
from approvals.services.intake import case_open
from complaints import services as complaint_services
from intake.constants import ApplicationStatus, Channel, ItemStatus
from intake.models import ApplicationMaterial
from portal.accounts.constants import ApplicantKind, Role
from portal.accounts.services import api_token_issue
from portal.notifications.models import Notification
from portal.workcalendar.seed import seed_years
from supervision.models import Alert
from tests.approvals.factories import CaseFactory
from tests.factories import (
    ApplicationFactory,
    DepartmentFactory,
    ItemFactory,
    MaterialFactory,
    UserFactory,
    WindowFactory,
    citizen,
    item_snapshot,
    staff,
)

# Matrix roles, in table order. "admin" is the catalogue admin (事项管理员); "anon" is nobody signed in.
ROLES = ["anon", "citizen", "enterprise", "clerk", "reviewer", "decider", "head", "inspector", "admin"]

from tests.files import PDF  # noqa: E402


class World:
    def __init__(self, media_root: Path) -> None:
        seed_years([2025, 2026, 2027])
        self.media_root = media_root
        self.dept_a = DepartmentFactory.create(code="SEC-A", name="安全测试甲局")
        self.dept_b = DepartmentFactory.create(code="SEC-B", name="安全测试乙局")
        self.office = DepartmentFactory.create(code="SEC-XNB", name="效能办", is_efficiency_office=True)
        self.window = WindowFactory.create(number=7)
        self.users: dict[str, Any] = {
            "citizen": citizen(username="m_citizen"),
            "enterprise": UserFactory.create(
                role=Role.ENTERPRISE,
                username="m_enterprise",
                applicant_kind=ApplicantKind.ENTERPRISE,
                enterprise_name="测试科技有限公司",
                credit_code="91350100M000100Y43",
                real_name="",
            ),
            "clerk": staff(Role.CLERK, window=self.window, username="m_clerk"),
            "reviewer": staff(Role.REVIEWER, self.dept_a, username="m_reviewer"),
            "decider": staff(Role.DECIDER, self.dept_a, username="m_decider"),
            "head": staff(Role.HEAD, self.dept_a, username="m_head"),
            "inspector": staff(Role.INSPECTOR, self.office, username="m_inspector"),
            "admin": staff(Role.CATALOGUE_ADMIN, username="m_admin"),
        }
        self.tokens = {role: api_token_issue(user=user, device=role)[0] for role, user in self.users.items()}
        u = self.users

        # catalogue: a published item per department (A's with a blank form), and an unpublished one
        self.item_a = ItemFactory.create(code="SEC-ITEM-A", department=self.dept_a)
        self.item_b = ItemFactory.create(code="SEC-ITEM-B", department=self.dept_b)
        self.item_c = ItemFactory.create(
            code="SEC-ITEM-C", department=self.dept_b
        )  # nobody has a draft of it
        self.item_draft = ItemFactory.create(
            code="SEC-ITEM-DRAFT", department=self.dept_a, status=ItemStatus.DRAFT
        )
        self.form_material = MaterialFactory.create(
            item=self.item_a, name="申请表", blank_form=self._file("forms/blank.pdf")
        )
        self.draft_material = MaterialFactory.create(
            item=self.item_draft, name="申请表", blank_form=self._file("forms/d.pdf")
        )

        # cases: A is the citizen's in department A, B the enterprise's in department B (both concluded)
        self.case_a = CaseFactory.create(
            concluded=True,
            application__item=self.item_a,
            application__applicant=u["citizen"],
            application__reference="SP-20260302-900001",
        )
        self.case_b = CaseFactory.create(
            concluded=True,
            application__item=self.item_b,
            application__applicant=u["enterprise"],
            application__reference="SP-20260302-900002",
        )
        # and one freshly submitted case per department, for the transitions the fuzzer tries
        self.open_a = case_open(
            application=self._submitted(self.item_a, u["citizen"], "SP-20260302-900003"), actor=u["citizen"]
        )
        self.open_b = case_open(
            application=self._submitted(self.item_b, u["enterprise"], "SP-20260302-900004"),
            actor=u["enterprise"],
        )
        # 并联: a co-department part of the open case A, for a department none of the roles belongs to
        self.dept_co = DepartmentFactory.create(code="SEC-CO", name="安全测试协办局")
        self.sub_a = SubApproval.objects.create(
            case=self.open_a, department=self.dept_co, due_on=timezone.localdate()
        )
        self.upload_a = self._upload(self.case_a, "a")
        self.upload_b = self._upload(self.case_b, "b")
        # licences (电子证照) of the two concluded cases
        self.licence_a = self._licence(self.case_a, "SEC-A2026000001")
        self.licence_b = self._licence(self.case_b, "SEC-B2026000001")

        # 一件事: a published package of A's and B's items; the citizen's application of it has a case in
        # department A, the enterprise's one in department B
        from intake.models import Package, PackageItem

        self.package = Package.objects.create(
            code="SEC-PKG", name="安全测试一件事", guide="说明", published=True
        )
        for order, item in enumerate((self.item_a, self.item_b)):
            PackageItem.objects.create(package=self.package, item=item, order=order)
        self.package_draft = Package.objects.create(code="SEC-PKG-DRAFT", name="未发布一件事", guide="说明")
        self.bundle_a = self._bundle(u["citizen"], self.item_a, "YJ-20260302-900001", "SP-20260302-900011")
        self.bundle_b = self._bundle(u["enterprise"], self.item_b, "YJ-20260302-900002", "SP-20260302-900012")

        # drafts: the citizen's, the enterprise's, and a walk-in registered at the window by the clerk
        self.draft_a = ApplicationFactory.create(
            item=self.item_b,
            applicant=u["citizen"],
            status=ApplicationStatus.DRAFT,
            reference=None,
            submitted_at=None,
        )
        self.draft_b = ApplicationFactory.create(
            item=self.item_a,
            applicant=u["enterprise"],
            status=ApplicationStatus.DRAFT,
            reference=None,
            submitted_at=None,
        )
        walk_in = citizen(username="m_walkin", id_number="110101199003070011")
        self.draft_window = ApplicationFactory.create(
            item=self.item_a,
            applicant=walk_in,
            registered_by=u["clerk"],
            channel=Channel.WINDOW,
            status=ApplicationStatus.DRAFT,
            reference=None,
            submitted_at=None,
        )

        # one inbox message per signed-in role
        self.notes = {
            role: Notification.objects.create(
                recipient=user, event="application.received", subject="测试", body="正文"
            )
            for role, user in u.items()
        }

        # supervision alerts on the two cases
        now = timezone.now()
        self.alert_a = Alert.objects.create(
            case=self.case_a, level="red", department=self.dept_a, raised_at=now
        )
        self.alert_b = Alert.objects.create(
            case=self.case_b, level="red", department=self.dept_b, raised_at=now
        )

        # complaints about the two cases, by their applicants; ratings of the two cases
        self.complaint_a = complaint_services.complaint_file(
            actor=u["citizen"],
            channel="online",
            name="",
            phone="13912345678",
            subject="窗口排队",
            content="窗口排队时间太长，希望改进。",
            reference=self.case_a.reference,
            attachments=[SimpleUploadedFile("排队照片.pdf", PDF, content_type="application/pdf")],
        )
        self.complaint_attachment_a = self.complaint_a.attachments.get()
        self.complaint_b = complaint_services.complaint_file(
            actor=u["enterprise"],
            channel="online",
            name="",
            phone="13912345679",
            subject="材料重复",
            content="要求重复提交材料，希望改进。",
            reference=self.case_b.reference,
        )
        self.rating_link = complaint_services.rating_link_token(self.case_a)
        self.window_device = complaint_services.window_rating_token(self.case_a)

        # the service hall: window 7 serves business type H; a finished visit (its rating device's
        # token), a number called at window 7, a waiting one, and the citizen's appointment next week
        from hall import services as hall_services
        from hall.models import Appointment, BusinessType, WindowGroup

        self.hall_type = BusinessType.objects.create(code="H", name="安全测试业务", department=self.dept_a)
        group = WindowGroup.objects.create(name="安全测试窗口组")
        group.windows.add(self.window)
        group.business_types.add(self.hall_type)
        finished = hall_services.ticket_issue(business_type=self.hall_type)
        hall_services.ticket_call_next(window=self.window, actor=u["clerk"])
        _visit, self.hall_rating_token = hall_services.ticket_finish(ticket=finished, actor=u["clerk"])
        self.hall_device_token = hall_services.device_token(window=self.window)
        self.hall_called = hall_services.ticket_issue(business_type=self.hall_type)
        hall_services.ticket_call_next(window=self.window, actor=u["clerk"])
        self.hall_waiting = hall_services.ticket_issue(business_type=self.hall_type)
        self.hall_appointment = Appointment.objects.create(
            citizen=u["citizen"],
            business_type=self.hall_type,
            group=group,
            date=timezone.localdate() + datetime.timedelta(days=7),
            half="am",
        )

    def _file(self, name: str) -> str:
        path = self.media_root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF)
        return name

    def _submitted(self, item, applicant, reference):
        return ApplicationFactory.create(
            item=item, applicant=applicant, reference=reference, item_snapshot=item_snapshot(item)
        )

    def _licence(self, case: Any, number: str) -> Any:
        from licences.models import Licence, LicenceType

        kind, _ = LicenceType.objects.get_or_create(code="SEC-LIC", defaults={"title": "安全测试许可证"})
        return Licence.objects.create(
            number=number,
            licence_type=kind,
            case=case,
            owner=case.applicant,
            title=kind.title,
            holder_name=case.application.applicant_name,
            issuing_department=case.department,
            issued_on=case.concluded_on,
            valid_from=case.concluded_on,
        )

    def _bundle(self, applicant, item, reference: str, case_reference: str):
        from intake.models import PackageApplication

        bundle = PackageApplication.objects.create(
            reference=reference,
            package=self.package,
            applicant=applicant,
            applicant_name=str(applicant),
            submitted_at=timezone.now(),
        )
        CaseFactory.create(
            concluded=True,
            application__item=item,
            application__applicant=applicant,
            application__reference=case_reference,
            application__package_application=bundle,
        )
        return bundle

    def _upload(self, case, tag: str) -> ApplicationMaterial:
        return ApplicationMaterial.objects.create(
            application=case.application,
            material_name="营业执照",
            token=f"sec-{tag}".ljust(32, "0"),
            extension=".pdf",
            file=self._file(f"applications/sec-{tag}.pdf"),
            original_name=f"执照-{tag}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
            uploaded_by=case.applicant,
        )

    def user(self, role: str):
        return self.users.get(role)
