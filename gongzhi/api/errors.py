"""Every failure leaves as a 4xx JSON body {code, message, fields}: never a 500 for bad input."""
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gongzhi.events.errors import ServiceError

_MESSAGES = {
    "missing": "必填", "string_too_long": "内容过长", "string_too_short": "内容过短", "enum": "取值无效",
    "greater_than_equal": "数值过小", "less_than_equal": "数值过大", "greater_than": "数值过小",
    "less_than": "数值过大", "int_parsing": "必须是整数", "float_parsing": "必须是数字",
    "bool_parsing": "必须是布尔值", "json_invalid": "JSON 格式不正确", "dict_type": "必须是对象",
    "list_type": "必须是数组", "string_type": "必须是文本", "int_type": "必须是整数",
    "float_type": "必须是数字", "datetime_parsing": "时间格式不正确", "model_attributes_type": "必须是对象",
}


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form")]
    return ".".join(parts) or "body"


def install(api) -> None:
    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        return api.create_response(request, {"code": exc.code, "message": exc.message, "fields": exc.fields},
                                   status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = {}
        for err in exc.errors:
            fields[_field(err.get("loc", ()))] = _MESSAGES.get(err.get("type"), "格式不正确")
        return api.create_response(request, {"code": "invalid", "message": "提交的数据有误，请检查标出的字段",
                                             "fields": fields}, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(request, {"code": "unauthenticated", "message": "请先登录", "fields": {}},
                                   status=401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "message": "资源不存在", "fields": {}}, status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, {"code": "error", "message": str(exc), "fields": {}},
                                   status=exc.status_code)
