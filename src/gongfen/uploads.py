"""Bounded uploads: no request may make the web process hold, or the disk take, more than the settings allow.

Django streams every uploaded file bigger than ``FILE_UPLOAD_MAX_MEMORY_SIZE``
(1 MB here) to a temporary file, so memory stays small however large the
files. :class:`BoundedUploadHandler` comes first among the upload handlers and
bounds the rest: once a request has sent ``GONGFEN_EVIDENCE_MAX_FILES`` files,
or ``GONGFEN_UPLOAD_MAX_BYTES`` of file data, every further file (or the rest
of the one that crossed the line) is read and dropped, never stored, and the
request carries a refusal that the form shows (:func:`refuse_in`). Each form
then checks its own, finer limits (the evidence of one declaration, a
spreadsheet's size).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _


class BoundedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.files, self.bytes = 0, 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files += 1
        limit = settings.GONGFEN_EVIDENCE_MAX_FILES
        if self.files > limit:
            self._refuse(_("一次最多上传 %(n)d 个文件，多出的文件未被接收") % {"n": limit})

    def receive_data_chunk(self, raw_data, start):
        self.bytes += len(raw_data)
        limit = settings.GONGFEN_UPLOAD_MAX_BYTES
        if self.bytes > limit:
            self._refuse(_("上传的文件合计超过 %(mb)d MB，超出部分未被接收") % {"mb": limit // (1024 * 1024)})
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file

    def _refuse(self, message: str):
        if self.request is not None and not getattr(self.request, "upload_refused", None):
            self.request.upload_refused = message
        raise SkipFile(message)


def refuse_in(request, form, field: str) -> None:
    """Show the upload handler's refusal on ``form``'s ``field`` (the form is then invalid and nothing is saved)."""
    message = getattr(request, "upload_refused", None)
    if message:
        form.add_error(field, message)
