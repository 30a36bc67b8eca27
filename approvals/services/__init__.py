"""Case services: every write to a case goes through here (DESIGN §3, §4; STYLE "Services").

One module per concern, one keyword-only typed function per thing that can happen to a case,
``case_<action>(*, case, actor, …)``, called alike by the pages, the API (both through
``approvals.transitions``) and the Celery tasks:

- ``intake``       opening the case on submission, checking materials, accepting (and deemed acceptance)
- ``correction``   the one-time correction notice and the applicant's supply
- ``refusal``      not accepting, with a second person's sign-off
- ``review``       starting the review, sending it to a decider
- ``parallel``     co-departments' answers of a parallel case
- ``decision``     approval, approval on the spot, denial, revocation
- ``suspension``   special procedures that stop the clock
- ``extension``    extending the statutory limit
- ``deferred``     容缺 materials arriving
- ``closure``      withdrawal and termination
- ``delivery``     handing out the result
- ``scans``        the periodic work: deemed acceptance, overdue 容缺 materials, calendar recompute
- ``common``       what every service does: lock and check (``lock_case``), save, audit and log
  (``record_transition``), and the date helpers

Each service runs in one transaction: lock the case row, check the state (409) and the user's right
(403, ``approvals.permissions``), check its own rule (400), fire the django-fsm transition, fix the dates,
save with the history user and reason, append the transition log and write the notifications (outbox rows
in the same transaction, sent after commit).
"""
