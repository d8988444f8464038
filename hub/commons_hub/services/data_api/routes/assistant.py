"""Assistant uses: ``POST api/assistant/uses`` records one question asked of the assistant.

    POST api/assistant/uses   {"datasets": [...best first], "used_model": bool, "answered": bool,
                               "share_question": bool, "question": "..." (kept only when share_question is true)}
                              -> 201 {"recorded": ENTRY_ID, "question_recorded": bool}

The caller comes from the token (a kernel's, the JupyterLab persona's server token, or `commons ask` with
COMMONS_API_TOKEN): nobody can record a use in someone else's name.
"""

from __future__ import annotations

import json

from commons_hub.assistant_uses import append_use
from commons_hub.services.data_api.base import ApiError, BaseHandler

MAX_BODY_BYTES = 16 * 1024


class AssistantUsesHandler(BaseHandler):
    def post(self):
        caller = self.caller()
        if len(self.request.body) > MAX_BODY_BYTES:
            raise ApiError(413, "too-large", f"An assistant use is at most {MAX_BODY_BYTES} bytes of JSON.")
        try:
            payload = json.loads(self.request.body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, "bad-json", f"The body is not JSON ({exc}). Send the use as a JSON object.") from None
        entry = append_use(self.audit, caller.name, caller.kind, payload)
        recorded_question = "question" in json.loads(entry["detail"])
        self.write_json({"recorded": entry["id"], "question_recorded": recorded_question}, status=201)


ROUTES = [
    (r"api/assistant/uses", AssistantUsesHandler),
]
