"""The upload handler that counts a request's files against the uploader's quota as they arrive.

It lives beside the quota (intake.take_upload_slots, the UploadAttempt rows), not in gongzhi.core.files:
core sits below the pillars and must not reach up into events."""
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from gongzhi.core.errors import TooManyRequests
from gongzhi.core.files import UploadTooBig, max_upload_bytes

from . import intake


class CappedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS, so the one place where a request's files reach the disk:

    - a file in a request nobody is signed in to is skipped unwritten: no page or operation takes
      files from an anonymous caller, so a stranger's multipart body costs no disk at all (the NUL
      guard parses it only once the session is known, gongzhi.web.guards);
    - every file a signed-in user sends is counted against their upload quota as it starts
      (intake.take_upload_slots), whatever becomes of it later — refused as too large, not an
      image, sent to an event that is not theirs.  Past the quota it is not written: the API
      answers 429 at once; a page finds the refusal in ``request.upload_refused`` and shows its
      form again with it (intake.check_received_uploads);
    - each file's bytes are counted as they arrive, and the request stops once one file passes
      the largest limit of any kind, so a 5 GB "photo" is not written in full before intake
      refuses it.

    The chunks go on to Django's handlers (small files in memory, others to a temporary file)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            raise SkipFile
        try:
            intake.take_upload_slots(user, 1)
        except TooManyRequests as exc:
            if self.request.path_info.startswith("/api/"):
                raise                       # the operation answers 429 (gongzhi.api.errors)
            self.request.upload_refused = exc
            raise SkipFile from None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        limit = max_upload_bytes()
        if self.received > limit:
            raise UploadTooBig(f"文件过大：「{self.file_name or '附件'}」超过上传上限 {limit / (1024 * 1024):g} MB")
        return raw_data

    def file_complete(self, file_size):
        return None
