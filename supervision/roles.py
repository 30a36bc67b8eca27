"""Model permissions of the roles for supervision (merged by portal.accounts.roles)."""

PERMISSIONS: dict[str, list[str]] = {
    "inspector": [
        "supervision.view_alert",
        "supervision.change_alert",
        "supervision.view_alertrule",
        "supervision.add_alertrule",
        "supervision.change_alertrule",
        "supervision.delete_alertrule",
        "supervision.view_accountabilityfinding",
        "supervision.add_accountabilityfinding",
    ],
    "head": ["supervision.view_alert", "supervision.view_accountabilityfinding"],
    "reviewer": ["supervision.view_alert"],
    "decider": ["supervision.view_alert"],
}
