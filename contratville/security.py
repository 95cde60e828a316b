"""Content-Security-Policy: django-csp's middleware, with what the Django admin needs.

The policy itself is `CONTENT_SECURITY_POLICY` in the settings: no inline script or style. Our
own templates hold none (tests/test_content_security_policy.py scans them). The admin pages of
django-import-export and django-simple-history carry a few inline attributes: those exact
attributes, and nothing else, are allowed by their hash, on the admin's addresses only."""

import csp.middleware
from django.urls import reverse

from .settings.base import csp_hash

ADMIN_POLICY_UPDATE = {
    # import_export/templates/admin/import_export/export.html: the "select all" checkbox.
    "script-src-attr": ["'unsafe-hashes'", csp_hash("onSelectToggleChange(event)")],
    # Same template, and simple_history/templates/simple_history/object_history_list.html.
    "style-src-attr": [csp_hash("padding: 0;"), csp_hash("font-weight: bold;"), csp_hash("border-top: 0")],
}


class CSPMiddleware(csp.middleware.CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(reverse("admin:index")):
            parts.update = {**ADMIN_POLICY_UPDATE, **(parts.update or {})}
        return parts
