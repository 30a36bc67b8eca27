"""Model permissions of the roles for the approvals app (merged by portal.accounts.roles)."""

PERMISSIONS = {
    "clerk": ["approvals.view_case"],
    "reviewer": ["approvals.view_case"],
    "decider": ["approvals.view_case"],
    "head": ["approvals.view_case"],
    "inspector": [
        "approvals.view_case",
        "approvals.view_casetransition",
        "approvals.view_suspension",
        "approvals.view_subapproval",
    ],
}
