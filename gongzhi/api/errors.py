"""Every failure leaves as a 4xx JSON body {code, message, fields}: never a 500 for bad input."""
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gongzhi.events.errors import ServiceError
from gongzhi.events.operations import field_errors

def install(api) -> None:
    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        return api.create_response(request, {"code": exc.code, "message": exc.message, "fields": exc.fields},
                                   status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = field_errors(exc.errors)
        return api.create_response(request, {"code": "invalid", "message": "提交的数据有误，请检查标出的字段",
                                             "fields": fields}, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(request, {"code": "unauthenticated", "message": "请先登录", "fields": {}},
                                   status=401)

    @api.exception_handler(MultiPartParserError)
    def bad_upload(request, exc):
        return api.create_response(request, {"code": "bad_request", "message": f"上传格式不正确：{exc}", "fields": {}},
                                   status=400)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "message": "资源不存在", "fields": {}}, status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, {"code": "error", "message": str(exc), "fields": {}},
                                   status=exc.status_code)
