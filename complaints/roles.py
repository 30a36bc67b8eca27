PERMISSIONS = {
    "inspector": [
        "complaints.view_complaint",
        "complaints.view_rating",
        "complaints.view_rectificationticket",
    ],
    "head": ["complaints.view_rating", "complaints.view_rectificationticket"],
}
