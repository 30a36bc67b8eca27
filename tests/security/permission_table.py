"""THE permission table: every URL name of the site → who gets which answer.

One row per URL name (``namespace:name`` as ``reverse`` spells it). A row is either ``Skip(reason)`` or a
list of ``Check``s: one request shape (method, URL arguments, body) and the expected answer for each of
the nine roles of ``world.ROLES``. ``tests/security/test_permission_matrix.py`` walks the URL resolver and
fails for any URL name without a row here, so a new endpoint cannot ship without a rule.

Expected answers:
- an int: exactly that status;
- ``LOGIN``: 302 to the sign-in page (pages, nobody signed in);
- ``WRITE_OK``: the action is *allowed* to the role — it may still refuse the empty/invalid body
  (200 / 201 / 302 / 400 / 409), but not with 403 or 404;
- a frozenset of ints: any of them.
A 500 is never expected: the matrix fails on it whatever the row says.

Build the per-role answers with ``only(roles, ok, no, anon)``: ``ok`` for the listed roles, ``no`` for the
other signed-in roles, ``anon`` for nobody signed in. Objects come from ``world.World`` (scope "A" = the
citizen's / department A's, "B" = the enterprise's / department B's).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .world import ROLES

LOGIN = "login"
WRITE_OK = frozenset({200, 201, 302, 400, 409})

SIGNED_IN = [r for r in ROLES if r != "anon"]
EVERYONE = ROLES
APPLICANTS = ["citizen", "enterprise"]
DEPT_A = ["reviewer", "decider", "head"]  # department A's staff
STAFF = ["clerk", "reviewer", "decider", "head", "inspector", "admin"]
SUPERVISORS = [
    "inspector",
    "head",
]  # figures and dashboards: the efficiency office, a head for their department

Expect = int | str | frozenset


def only(roles: Iterable[str], ok: Expect = 200, no: Expect = 403, anon: Expect = LOGIN) -> dict[str, Expect]:
    roles = set(roles)
    answers = {r: (ok if r in roles else no) for r in SIGNED_IN}
    answers["anon"] = ok if "anon" in roles else anon
    return answers


def api(roles: Iterable[str], ok: Expect = 200, no: Expect = 403) -> dict[str, Expect]:
    """API answers: nobody signed in gets 401 (token authentication answers with WWW-Authenticate)."""
    return only(roles, ok, no, anon=401)


Args = Callable[[Any, str], dict[str, Any]]


def no_args(world: Any, role: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Check:
    expect: dict[str, Expect]
    args: Args = no_args
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)
    scope: str = ""  # a label for failure messages: "A", "B", "own", ...
    query: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    reason: str


def ref(attr: str) -> Args:
    return lambda w, r: {"reference": getattr(w, attr).reference}


def pk(attr: str) -> Args:
    return lambda w, r: {"pk": getattr(w, attr).pk}


def number(attr: str) -> Args:
    return lambda w, r: {"number": getattr(w, attr).number}


def own_note(w: Any, role: str) -> dict[str, Any]:
    return {"pk": w.notes.get(role, w.notes["citizen"]).pk}


def others_note(w: Any, role: str) -> dict[str, Any]:
    return {"pk": w.notes["enterprise" if role == "citizen" else "citizen"].pk}


# Case A is visible to its applicant, the window, the efficiency office and department A's staff.
SEES_A = ["citizen", "clerk", "inspector", *DEPT_A]
SEES_B = ["enterprise", "clerk", "inspector"]
# Uploaded materials: the same people as the case (the window and the office see every department's).
# Complaints: the complainant, the efficiency office and the head of the department complained about.
COMPLAINT_A = ["citizen", "inspector", "head"]
COMPLAINT_B = ["enterprise", "inspector"]
# Alerts (staff only): the office all, department staff their department's (and the cases they hold).
ALERT_A = ["inspector", *DEPT_A]
ALERT_B = ["inspector"]
NOT_ALLOWED = 405

TABLE: dict[str, list[Check] | Skip] = {
    # --- project, sign-in and account pages ---------------------------------------------------------
    "home": [Check(only(EVERYONE))],
    "set_language": Skip("Django's i18n view: sets the language cookie for anyone, no data behind it"),
    "schema": Skip("drf-spectacular's OpenAPI document: public by design; the fuzzer reads it"),
    "api-docs": Skip("Swagger UI over the public schema; static page"),
    "api-redoc": Skip("Redoc over the public schema; static page"),
    "centre": [Check(only(APPLICANTS, ok=200, no=302))],  # staff are sent to their home page
    "accounts:login": [Check(only(EVERYONE))],
    # 短信验证码登录: a public form (an empty POST is the form again with its errors, status 400)
    "accounts:sms_login": [Check(only(EVERYONE)), Check(only(EVERYONE, ok=400), method="POST")],
    "accounts:logout": [
        Check(only(EVERYONE, ok=302), method="POST"),
        Check(only(EVERYONE, ok=NOT_ALLOWED), scope="GET"),
    ],
    # a signed-in user is sent home, nobody signed in gets the form
    "accounts:register": [Check(only(["anon"], no=302))],
    "accounts:preferences": [Check(only(SIGNED_IN)), Check(only(SIGNED_IN, ok=WRITE_OK), method="POST")],
    "accounts:my_data": [Check(only(SIGNED_IN))],
    "accounts:elder_mode": [Check(only(EVERYONE, ok=302), method="POST", data={"on": "1"})],
    "accounts:password_change": [Check(only(SIGNED_IN)), Check(only(SIGNED_IN, ok=WRITE_OK), method="POST")],
    "accounts:password_change_done": [Check(only(SIGNED_IN))],
    # --- inbox --------------------------------------------------------------------------------------
    "notifications:inbox": [Check(only(SIGNED_IN))],
    "notifications:detail": [
        Check(only(SIGNED_IN), args=own_note, scope="own"),
        Check(only([], no=404), args=others_note, scope="other's"),
    ],
    "notifications:mark_all_read": [
        Check(only(SIGNED_IN, ok=302), method="POST"),
        Check(only(SIGNED_IN, ok=NOT_ALLOWED), scope="GET"),
    ],
    "api-notifications": [Check(api(SIGNED_IN))],
    "api-notification-read": [
        Check(api(SIGNED_IN), args=own_note, method="POST", scope="own"),
        Check(api([], no=404), args=others_note, method="POST", scope="other's"),
        Check(api(SIGNED_IN, ok=NOT_ALLOWED), args=own_note, scope="GET"),
    ],
    # --- catalogue (public; unpublished items do not exist for anyone) -------------------------------
    "intake:catalogue": [Check(only(EVERYONE))],
    "intake:item_detail": [
        Check(only(EVERYONE), args=lambda w, r: {"code": w.item_a.code}, scope="published"),
        Check(only([], no=404, anon=404), args=lambda w, r: {"code": w.item_draft.code}, scope="unpublished"),
    ],
    "intake:item_notice": [
        Check(only(EVERYONE), args=lambda w, r: {"code": w.item_a.code}, scope="published"),
        Check(only([], no=404, anon=404), args=lambda w, r: {"code": w.item_draft.code}, scope="unpublished"),
    ],
    "intake:material_form": [
        Check(
            only(EVERYONE),
            args=lambda w, r: {"code": w.item_a.code, "pk": w.form_material.pk, "kind": "blank_form"},
            scope="published",
        ),
        Check(
            only([], no=404, anon=404),
            args=lambda w, r: {"code": w.item_draft.code, "pk": w.draft_material.pk, "kind": "blank_form"},
            scope="unpublished",
        ),
        Check(
            only([], no=404, anon=404),
            args=lambda w, r: {"code": w.item_a.code, "pk": w.draft_material.pk, "kind": "blank_form"},
            scope="other item's material",
        ),
    ],
    "api-item-list": [Check(only(EVERYONE))],
    "api-item-detail": [
        Check(only(EVERYONE), args=lambda w, r: {"code": w.item_a.code}, scope="published"),
        Check(only([], no=404, anon=404), args=lambda w, r: {"code": w.item_draft.code}, scope="unpublished"),
    ],
    # --- 一件事 (packages): public guides; applying is the applicants'; a package application is seen by its
    # applicant and by the staff who may see one of its cases (the window, the office, the department)
    "intake:package_list": [Check(only(EVERYONE))],
    "intake:package_detail": [
        Check(only(EVERYONE), args=lambda w, r: {"code": w.package.code}, scope="published"),
        Check(
            only([], no=404, anon=404), args=lambda w, r: {"code": w.package_draft.code}, scope="unpublished"
        ),
    ],
    "intake:package_apply": [
        Check(only(APPLICANTS, no=302), args=lambda w, r: {"code": w.package.code}),
        Check(
            only(APPLICANTS, ok=WRITE_OK, no=302), args=lambda w, r: {"code": w.package.code}, method="POST"
        ),
        Check(only([], no=404), args=lambda w, r: {"code": w.package_draft.code}, scope="unpublished"),
    ],
    # nothing pending in the session: back to the form
    "intake:package_review": [Check(only(SIGNED_IN, ok=302), args=lambda w, r: {"code": w.package.code})],
    "intake:package_receipt": [
        Check(only(["citizen"], no=404), args=ref("bundle_a"), scope="A"),
        Check(only(["enterprise"], no=404), args=ref("bundle_b"), scope="B"),
    ],
    "approvals:my_packages": [Check(only(SIGNED_IN))],
    "approvals:package_detail": [
        Check(only(SEES_A, no=404), args=ref("bundle_a"), scope="A"),
        Check(only(SEES_B, no=404), args=ref("bundle_b"), scope="B"),
    ],
    "api-package-list": [Check(only(EVERYONE))],
    "api-package-detail": [
        Check(only(EVERYONE), args=lambda w, r: {"code": w.package.code}, scope="published"),
        Check(
            only([], no=404, anon=404), args=lambda w, r: {"code": w.package_draft.code}, scope="unpublished"
        ),
    ],
    "api-package-application-create": [Check(api(APPLICANTS, ok=400), method="POST")],
    "api-package-application-detail": [
        Check(api(["citizen"], no=404), args=ref("bundle_a"), scope="A"),
        Check(api(["enterprise"], no=404), args=ref("bundle_b"), scope="B"),
    ],
    # --- applying online: applicants only; drafts are their owner's (or the registering clerk's) -------
    # staff are sent back to the item page with a message (the window registers walk-ins instead)
    "intake:apply": [
        Check(only(APPLICANTS, no=302), args=lambda w, r: {"code": w.item_c.code}),
        Check(only(APPLICANTS, ok=302, no=302), args=lambda w, r: {"code": w.item_c.code}, method="POST"),
        Check(only([], no=404), args=lambda w, r: {"code": w.item_draft.code}, scope="unpublished"),
    ],
    "intake:my_drafts": [Check(only(SIGNED_IN))],
    "intake:draft_edit": [
        Check(only(["citizen"], no=404), args=pk("draft_a"), scope="A"),
        Check(only(["enterprise"], no=404), args=pk("draft_b"), scope="B"),
        Check(only(["clerk"], no=404), args=pk("draft_window"), scope="walk-in"),
        Check(only(["citizen"], ok=WRITE_OK, no=404), args=pk("draft_a"), method="POST", scope="A"),
        Check(
            only([], no=404),
            args=pk("draft_a"),
            method="POST",
            data={"remove": "x"},
            scope="A, remove a file of a bad id",
        ),
    ],
    "intake:draft_review": [
        Check(only(["citizen"], no=404), args=pk("draft_a"), scope="A"),
        Check(only(["enterprise"], no=404), args=pk("draft_b"), scope="B"),
        Check(only(["clerk"], no=404), args=pk("draft_window"), scope="walk-in"),
    ],
    "intake:draft_delete": [
        Check(only(["citizen"], ok=302, no=404), args=pk("draft_a"), method="POST", scope="A"),
        Check(only(["clerk"], ok=302, no=404), args=pk("draft_window"), method="POST", scope="walk-in"),
        Check(only(["citizen"], no=404), args=pk("draft_a"), scope="GET: the confirmation page"),
    ],
    "intake:receipt": [
        Check(only(["citizen"], no=404), args=ref("case_a"), scope="A"),
        Check(only(["enterprise"], no=404), args=ref("case_b"), scope="B"),
    ],
    "intake:material_download": [
        Check(only(SEES_A, no=404), args=pk("upload_a"), scope="A"),
        Check(only(SEES_B, no=404), args=pk("upload_b"), scope="B"),
    ],
    "intake:window_register": [Check(only(["clerk"]))],
    "api-application-create": [Check(api(APPLICANTS, ok=400), method="POST")],
    # by reference, or a draft by its id: the applicant's own only (the registering clerk uses the pages)
    "api-application-detail": [
        Check(api(["citizen"], no=404), args=lambda w, r: {"key": w.case_a.reference}, scope="A"),
        Check(api(["enterprise"], no=404), args=lambda w, r: {"key": w.case_b.reference}, scope="B"),
        Check(api(["citizen"], no=404), args=lambda w, r: {"key": str(w.draft_a.pk)}, scope="draft A"),
        Check(api(["enterprise"], no=404), args=lambda w, r: {"key": str(w.draft_b.pk)}, scope="draft B"),
        Check(
            api(["citizen"], ok=200, no=404),
            args=lambda w, r: {"key": str(w.draft_a.pk)},
            method="PATCH",
            scope="draft A",
        ),
        Check(
            api(["citizen"], ok=409, no=404),
            args=lambda w, r: {"key": w.case_a.reference},
            method="PATCH",
            scope="submitted A",
        ),
    ],
    "api-application-submit": [
        Check(
            api(["citizen"], ok=frozenset({200, 400}), no=404),
            args=lambda w, r: {"key": str(w.draft_a.pk)},
            method="POST",
            scope="draft A",
        ),
        Check(
            api(["enterprise"], ok=frozenset({200, 400}), no=404),
            args=lambda w, r: {"key": str(w.draft_b.pk)},
            method="POST",
            scope="draft B",
        ),
        Check(
            api(["citizen"], ok=409, no=404),
            args=lambda w, r: {"key": w.case_a.reference},
            method="POST",
            scope="submitted A",
        ),
    ],
    # --- cases: worklists by role, a case for those who may see it, 404 for everyone else -----------
    "approvals:my_cases": [Check(only(SIGNED_IN))],
    "approvals:progress": [Check(only(EVERYONE)), Check(only(EVERYONE), method="POST", scope="lookup")],
    "api-progress": [
        Check(
            only(EVERYONE, anon=200),
            scope="reference+phone",
            query={"reference": "SP-20260302-900001", "phone": "13912345678"},
        ),
        Check(only([], no=400, anon=400), scope="missing phone"),
    ],
    # --- licences (电子证照): verification public, lists own, PDFs for the owner and who sees the case -----
    "licences:verify": [
        Check(only(EVERYONE)),
        Check(only(EVERYONE, ok=404), scope="unknown", query={"number": "NOPE", "holder": "某人"}),
    ],
    "api-licence-verify": [
        Check(
            only([], no=404, anon=404),
            scope="wrong holder",
            query={"number": "SEC-A2026000001", "holder": "某人"},
        ),
        Check(only([], no=400, anon=400), scope="missing holder", query={"number": "SEC-A2026000001"}),
    ],
    "licences:mine": [Check(only(SIGNED_IN))],
    "api-licences": [Check(api(SIGNED_IN))],
    "licences:download": [
        Check(only(SEES_A, no=404), args=number("licence_a"), scope="A"),
        Check(only(SEES_B, no=404), args=number("licence_b"), scope="B"),
    ],
    # re-issue (换发): the issuing department's decider and head (an empty reason: back to the case page)
    "licences:reissue": [
        Check(
            {**only(SEES_A, ok=403, no=404), "decider": 302, "head": 302},
            args=number("licence_a"),
            method="POST",
            scope="A",
        ),
        Check(only(SEES_B, ok=403, no=404), args=number("licence_b"), method="POST", scope="B"),
    ],
    # the re-issue API: the issuing department's decider and head (an empty body: 400 on the reason)
    "api-licence-reissue": [
        Check(
            {**api(SEES_A, ok=403, no=404), "decider": 400, "head": 400},
            args=number("licence_a"),
            method="POST",
            scope="A",
        ),
        Check(api(SEES_B, ok=403, no=404), args=number("licence_b"), method="POST", scope="B"),
    ],
    "api-licence-pdf": [
        Check(api(SEES_A, no=404), args=number("licence_a"), scope="A"),
        Check(api(SEES_B, no=404), args=number("licence_b"), scope="B"),
    ],
    "approvals:clerk_queue": [Check(only(["clerk"]))],
    "approvals:review_queue": [Check(only(["reviewer", "head"]))],
    "approvals:decision_queue": [Check(only(["decider", "head"]))],
    "approvals:results_queue": [Check(only(["clerk"]))],
    # 不予受理 sign-off: the department heads; 并联: each department's own co-department queue
    "approvals:refusal_queue": [Check(only(["head"]))],
    "approvals:co_approval_queue": [Check(only(DEPT_A))],
    # the page answers a refused answer / resolution on the case page (302 with a message); the rest 404
    "approvals:co_approval_act": [
        Check(
            only(SEES_A, ok=302, no=404),
            args=lambda w, r: {"reference": w.open_a.reference, "pk": w.sub_a.pk, "kind": "answer"},
            method="POST",
            scope="A",
        ),
        Check(
            only([], no=404),
            args=lambda w, r: {"reference": w.open_b.reference, "pk": w.sub_a.pk, "kind": "answer"},
            method="POST",
            scope="another case's part",
        ),
    ],
    "approvals:case_detail": [
        Check(only(SEES_A, no=404), args=ref("case_a"), scope="A"),
        Check(only(SEES_B, no=404), args=ref("case_b"), scope="B"),
    ],
    # the page answers every refused transition on the case page itself (302 with a message)
    "approvals:case_transition": [
        Check(
            only(SEES_A, ok=302, no=404),
            args=lambda w, r: {"reference": w.open_a.reference, "name": "accept"},
            method="POST",
            scope="A",
        ),
        Check(
            only(SEES_B, ok=302, no=404),
            args=lambda w, r: {"reference": w.open_b.reference, "name": "accept"},
            method="POST",
            scope="B",
        ),
        Check(
            only(SEES_A, ok=302, no=404),
            args=lambda w, r: {"reference": w.open_a.reference, "name": "no-such"},
            method="POST",
            scope="A, unknown transition",
        ),
        Check(
            only(SIGNED_IN, ok=NOT_ALLOWED),
            args=lambda w, r: {"reference": w.open_a.reference, "name": "accept"},
            scope="GET",
        ),
    ],
    "approvals:check_materials": [
        Check(only(SEES_A, ok=302, no=404), args=ref("open_a"), method="POST", scope="A"),
        Check(only(SEES_B, ok=302, no=404), args=ref("open_b"), method="POST", scope="B"),
    ],
    # 材料核验 through the API: staff who see the case read it (its applicant 403); only the window records
    # it (an empty body: 400); everyone else who sees the case 403, who cannot see it 404
    "api-case-material-check": [
        Check({**api(SEES_A, no=404), "citizen": 403}, args=ref("open_a"), scope="A"),
        Check({**api(SEES_B, no=404), "enterprise": 403}, args=ref("open_b"), scope="B"),
        Check({**api(SEES_A, ok=403, no=404), "clerk": 400}, args=ref("open_a"), method="POST", scope="A"),
        Check({**api(SEES_B, ok=403, no=404), "clerk": 400}, args=ref("open_b"), method="POST", scope="B"),
    ],
    # 送达: only the applicant changes the choice (staff who see the case 403, everyone else 404)
    "approvals:delivery_change": [
        Check({**only(SEES_A, ok=403, no=404), "citizen": 302}, args=ref("open_a"), method="POST", scope="A"),
        Check(
            {**only(SEES_B, ok=403, no=404), "enterprise": 302}, args=ref("open_b"), method="POST", scope="B"
        ),
    ],
    "api-case-delivery": [
        Check({**api(SEES_A, ok=403, no=404), "citizen": 400}, args=ref("open_a"), method="POST", scope="A"),
        Check(
            {**api(SEES_B, ok=403, no=404), "enterprise": 400}, args=ref("open_b"), method="POST", scope="B"
        ),
    ],
    "approvals:notice": [
        Check(
            only(SEES_A, no=404),
            args=lambda w, r: {"reference": w.case_a.reference, "kind": "decision"},
            scope="A",
        ),
        Check(
            only(SEES_B, no=404),
            args=lambda w, r: {"reference": w.case_b.reference, "kind": "decision"},
            scope="B",
        ),
    ],
    "api-case-list": [Check(api(SIGNED_IN))],
    # 并联: the list is each department's own (empty for others); only the co-department answers, only the
    # lead's decider or head resolves (409 here: nothing to resolve); who cannot see the case gets 404
    "api-co-approval-list": [Check(api(SIGNED_IN))],
    "api-co-approval-answer": [
        Check(
            api([], no=403) | {r: 404 for r in SIGNED_IN if r not in SEES_A},
            args=pk("sub_a"),
            method="POST",
            data={"answer": "consent"},
            scope="A",
        )
    ],
    "api-co-approval-resolve": [
        Check(
            api(["decider", "head"], ok=WRITE_OK, no=403) | {r: 404 for r in SIGNED_IN if r not in SEES_A},
            args=pk("sub_a"),
            method="POST",
            data={"resolution": "协调一致"},
            scope="A",
        )
    ],
    "api-case-detail": [
        Check(api(SEES_A, no=404), args=ref("case_a"), scope="A"),
        Check(api(SEES_B, no=404), args=ref("case_b"), scope="B"),
    ],
    "api-case-transitions": [
        Check(api(SEES_A, no=404), args=ref("case_a"), scope="A"),
        Check(api(SEES_B, no=404), args=ref("case_b"), scope="B"),
    ],
    # only the window accepts; others who see the case are refused (403), the rest never learn it exists
    "api-case-transition": [
        Check(
            api(["clerk"], ok=WRITE_OK, no=403) | {r: 404 for r in SIGNED_IN if r not in SEES_A},
            args=lambda w, r: {"reference": w.open_a.reference, "name": "accept"},
            method="POST",
            scope="A",
        ),
        Check(
            api(["clerk"], ok=WRITE_OK, no=403) | {r: 404 for r in SIGNED_IN if r not in SEES_B},
            args=lambda w, r: {"reference": w.open_b.reference, "name": "accept"},
            method="POST",
            scope="B",
        ),
        Check(
            api(SEES_A, ok=400, no=404),
            args=lambda w, r: {"reference": w.open_a.reference, "name": "no-such"},
            method="POST",
            scope="A, unknown transition",
        ),
        Check(
            api(SIGNED_IN, ok=NOT_ALLOWED),
            args=lambda w, r: {"reference": w.open_a.reference, "name": "accept"},
            scope="GET",
        ),
    ],
    # --- supervision --------------------------------------------------------------------------------
    "supervision:dashboard": [
        Check(only(SUPERVISORS)),
        # a month whose end is past the last date Python knows: the default month, not a server error
        Check(only(SUPERVISORS), query={"rb_month": "9999-12", "as_of": "garbage"}, scope="bad month"),
    ],
    "supervision:alerts": [Check(only(STAFF))],
    "supervision:alert_detail": [
        Check(only(ALERT_A) | {r: 404 for r in STAFF if r not in ALERT_A}, args=pk("alert_a"), scope="A"),
        Check(only(ALERT_B) | {r: 404 for r in STAFF if r not in ALERT_B}, args=pk("alert_b"), scope="B"),
        Check(
            only(ALERT_A, ok=WRITE_OK) | {r: 404 for r in STAFF if r not in ALERT_A},
            args=pk("alert_a"),
            method="POST",
            scope="A",
        ),
    ],
    "supervision:export": [
        Check(only(SUPERVISORS), args=lambda w, r: {"name": "summary", "fmt": "csv"}),
        Check(only(SUPERVISORS), args=lambda w, r: {"name": "alerts", "fmt": "xlsx"}, scope="alerts"),
        Check(
            only(SUPERVISORS, ok=404),
            args=lambda w, r: {"name": "no-such", "fmt": "csv"},
            scope="unknown table",
        ),
    ],
    "supervision:monthly_report": [
        Check(only(SUPERVISORS), args=lambda w, r: {"fmt": "csv"}),
        Check(
            only(SUPERVISORS),
            args=lambda w, r: {"fmt": "xlsx"},
            query={"month": "9999-12"},
            scope="bad month",
        ),
        Check(only(SUPERVISORS, ok=404), args=lambda w, r: {"fmt": "pdf"}, scope="unknown format"),
    ],
    "supervision-figures": [
        Check(api(SUPERVISORS), query={"accepted_from": "2026-01-01", "accepted_to": "2026-03-31"})
    ],
    "supervision-alerts": [
        Check(api(STAFF)),
        # filters are checked: a bad value is a 400 with the field's message (these were server errors)
        Check(api(STAFF, ok=400), query={"department": "abc"}, scope="department not a number"),
        Check(
            api(STAFF, ok=400),
            query={"department": "92576052196875851268096"},
            scope="department out of range",
        ),
    ],
    # --- complaints and ratings ---------------------------------------------------------------------
    "complaints:file": [Check(only(EVERYONE)), Check(only(EVERYONE, ok=400, anon=400), method="POST")],
    # the confirmation shows the number filed in this session only; without one it sends to the form
    "complaints:filed": [Check(only(EVERYONE, ok=302))],
    "complaints:mine": [Check(only(SIGNED_IN))],
    "complaints:public": [Check(only(EVERYONE))],
    "complaints:queue": [Check(only(["inspector"]))],
    "complaints:tickets": [
        Check(only(["inspector", *DEPT_A])),
        Check(only(["inspector", *DEPT_A], ok=302), method="POST", scope="no target"),
        Check(
            only([], no=403) | {r: 404 for r in ["inspector", *DEPT_A]},
            method="POST",
            data={"ticket": "x"},
            scope="bad ticket id",
        ),
        Check(
            only([], no=403) | {r: 404 for r in ["inspector", *DEPT_A]},
            method="POST",
            data={"rating": "x", "action": "appeal"},
            scope="bad rating id",
        ),
    ],
    "complaints:window_rate": [Check(only(["clerk"]))],
    "complaints:window_device": [
        Check(only(EVERYONE), args=lambda w, r: {"token": w.window_device}, scope="signed device address"),
        Check(only([], no=400, anon=400), args=lambda w, r: {"token": "forged"}, scope="forged address"),
    ],
    "complaints:rate_link": [
        Check(only(EVERYONE), args=lambda w, r: {"token": w.rating_link}, scope="signed link"),
        Check(only([], no=400, anon=400), args=lambda w, r: {"token": "forged"}, scope="forged link"),
    ],
    "complaints:rate": [
        Check(only(["citizen"], no=404), args=ref("case_a"), scope="A"),
        Check(only(["enterprise"], no=404), args=ref("case_b"), scope="B"),
        Check(only(["citizen"], ok=400, no=404), args=ref("case_a"), method="POST", scope="A"),
    ],
    "complaints:detail": [
        Check(only(COMPLAINT_A, no=404), args=number("complaint_a"), scope="A"),
        Check(only(COMPLAINT_B, no=404), args=number("complaint_b"), scope="B"),
        Check(only(COMPLAINT_A, ok=302, no=404), args=number("complaint_a"), method="POST", scope="A"),
    ],
    # attachments: the complainant and the efficiency office; not the head of the department complained about
    "complaints:attachment": [
        Check(
            only(["citizen", "inspector"], no=404),
            args=lambda w, r: {"number": w.complaint_a.number, "pk": w.complaint_attachment_a.pk},
            scope="A",
        ),
        Check(
            only([], no=404),
            args=lambda w, r: {"number": w.complaint_b.number, "pk": w.complaint_attachment_a.pk},
            scope="A's file under B",
        ),
    ],
    "api-complaints": [Check(only(EVERYONE)), Check(only(EVERYONE, ok=400, anon=400), method="POST")],
    "api-complaint-detail": [
        Check(api(COMPLAINT_A, no=404), args=number("complaint_a"), scope="A"),
        Check(api(COMPLAINT_B, no=404), args=number("complaint_b"), scope="B"),
    ],
    "api-ratings": [
        Check(api(SIGNED_IN)),
        Check(api(SIGNED_IN, ok=400), method="POST"),
        # only the applicant rates; others who see the case are refused, the rest get 404
        Check(
            api(["citizen"], ok=201, no=403) | {r: 404 for r in SIGNED_IN if r not in SEES_A},
            method="POST",
            data={"reference": "SP-20260302-900001", "overall": 5},
            scope="A",
        ),
    ],
    # --- the service hall (issue 20) ----------------------------------------------------------------
    "hall:book": [Check(only(APPLICANTS)), Check(only(APPLICANTS, ok=WRITE_OK), method="POST")],
    "hall:change": [
        Check(only(["citizen"], no=404), args=pk("hall_appointment"), scope="own"),
        Check(only(["citizen"], ok=400, no=404), args=pk("hall_appointment"), method="POST", scope="own"),
    ],
    "hall:cancel": [Check(only(["citizen"], ok=302, no=404), args=pk("hall_appointment"), method="POST")],
    "hall:check_in": [Check(only(["citizen"], ok=302, no=404), args=pk("hall_appointment"), method="POST")],
    # the kiosk and the calling screen are public (the hall's own devices)
    "hall:kiosk": [Check(only(EVERYONE)), Check(only(EVERYONE, ok=400), method="POST")],
    "hall:kiosk_ticket": [Check(only(EVERYONE), args=pk("hall_waiting"))],
    "hall:screen": [Check(only(EVERYONE))],
    "hall:console": [Check(only(["clerk"]))],
    "hall:console_act": [
        Check(only(["clerk"], ok=302), args=lambda w, r: {"action": "recall"}, method="POST")
    ],
    # the rating device: bound to the visit by its token, whoever holds the tablet
    "hall:rate": [
        Check(only(EVERYONE), args=lambda w, r: {"token": w.hall_rating_token}, scope="signed token"),
        Check(only([], no=403, anon=403), args=lambda w, r: {"token": "forged"}, scope="forged token"),
    ],
    # the counter tablet's standing page and its feed: the window's signed address, nobody signed in
    "hall:device": [
        Check(only(EVERYONE), args=lambda w, r: {"token": w.hall_device_token}, scope="signed token"),
        Check(only([], no=403, anon=403), args=lambda w, r: {"token": "forged"}, scope="forged token"),
    ],
    "hall:device_next": [
        Check(only(EVERYONE), args=lambda w, r: {"token": w.hall_device_token}, scope="signed token"),
        Check(only([], no=403, anon=403), args=lambda w, r: {"token": "forged"}, scope="forged token"),
    ],
    "hall-business-types": [Check(only(EVERYONE))],
    "hall-slots": [Check(only(EVERYONE, ok=400))],
    "hall-appointments": [Check(api(APPLICANTS, ok=400), method="POST")],
    "hall-appointment": [
        Check(api(["citizen"], ok=400, no=404), args=pk("hall_appointment"), method="PATCH", scope="own"),
        Check(api(["citizen"], ok=204, no=404), args=pk("hall_appointment"), method="DELETE", scope="own"),
    ],
    "hall-check-in": [
        Check(api(["citizen"], ok=409, no=404), args=pk("hall_appointment"), method="POST", scope="not today")
    ],
    "hall-tickets": [Check(only(EVERYONE, ok=400), method="POST")],
    "hall-call-next": [
        Check(api(["clerk"], ok=WRITE_OK), args=lambda w, r: {"window": w.window.number}, method="POST")
    ],
    "hall-recall": [Check(api(["clerk"]), args=pk("hall_called"), method="POST")],
    "hall-skip": [Check(api(["clerk"]), args=pk("hall_called"), method="POST")],
    "hall-transfer": [Check(api(["clerk"], ok=400), args=pk("hall_called"), method="POST")],
    "hall-finish": [Check(api(["clerk"]), args=pk("hall_called"), method="POST")],
    "hall-display": [Check(only(EVERYONE))],
    # --- accounts API -------------------------------------------------------------------------------
    "api-register": [Check(only(EVERYONE, ok=400), method="POST")],
    "api-token": [
        Check(only(EVERYONE, ok=400), method="POST"),
        Check(only(EVERYONE, ok=NOT_ALLOWED), scope="GET"),
    ],
    "api-me": [Check(api(SIGNED_IN))],
    # sign this device / every device out (revokes API tokens; a session is left alone)
    "api-logout": [Check(api(SIGNED_IN, ok=204), method="POST"), Check(api(SIGNED_IN, ok=NOT_ALLOWED))],
    "api-logout-all": [Check(api(SIGNED_IN, ok=204), method="POST"), Check(api(SIGNED_IN, ok=NOT_ALLOWED))],
    "api-sms-code": [
        Check(only(EVERYONE, ok=400), method="POST"),
        Check(only(EVERYONE, ok=NOT_ALLOWED), scope="GET"),
    ],
    "api-sms-token": [
        Check(only(EVERYONE, ok=400), method="POST"),
        Check(only(EVERYONE, ok=NOT_ALLOWED), scope="GET"),
    ],
}

# Whole namespaces left out of the matrix, with the reason.
SKIP_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: its own guard (is_staff + model permissions per ModelAdmin), not portal pages",
}
