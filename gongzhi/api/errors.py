"""Every failure leaves as a 4xx JSON body {code, message, fields}: never a 500 for bad input."""
from django.http import Http404, RawPostDataException
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gongzhi.core.errors import ServiceError
from gongzhi.core.operations import field_errors, summary
from gongzhi.core.wording import translated


def install(api) -> None:
    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        response = api.create_response(request, {"code": exc.code, "message": exc.message, "fields": exc.fields},
                                       status=exc.status)
        if getattr(exc, "retry_after", None):      # a rate limit says when to come back
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = {k: translated(v) for k, v in field_errors(exc.errors).items()}
        return api.create_response(request, {"code": "invalid", "message": translated(summary(exc.errors)),
                                             "fields": fields}, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(request, {"code": "unauthenticated", "message": translated("请先登录"),
                                             "fields": {}}, status=401)

    @api.exception_handler(RawPostDataException)
    def body_already_read(request, exc):
        # A form or multipart body sent to an operation that takes JSON: the NUL guard has read
        # it as a form already (gongzhi.web.guards), so there is no raw body left to parse.
        return api.create_response(request, {"code": "bad_request", "message": translated(NINJA_ERRORS[400][1]),
                                             "fields": {}},
                                   status=400)

    @api.exception_handler(MultiPartParserError)
    def bad_upload(request, exc):
        return api.create_response(request, {"code": "bad_request", "message": translated(f"上传格式不正确：{exc}"),
                                             "fields": {}},
                                   status=400)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "message": translated("资源不存在"), "fields": {}},
                                   status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # ninja raises these itself, in English: a body that is not JSON, a session call without
        # its CSRF token.  Our own code raises ServiceError.
        code, message = NINJA_ERRORS.get(exc.status_code, ("error", str(exc)))
        return api.create_response(request, {"code": code, "message": translated(message), "fields": {}},
                                   status=exc.status_code)


NINJA_ERRORS = {
    400: ("bad_request", "请求内容无法解析：请提交有效的 JSON"),
    403: ("csrf_failed", "页面已过期或缺少安全校验（CSRF），请刷新页面后重试"),
}


# What any operation can answer besides what it declares, by what it takes: input that does not
# parse (or carries U+0000, gongzhi.web.guards), a token that does not hold, a parameter of the
# wrong type, a path to nothing.
_ERROR_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
_COMMON = {
    "400": "请求无法解析（不是有效的 JSON 或表单），或正文中含空字符 U+0000、网址中含控制字符",
    "401": "未登录或令牌无效",
    "404": "对象不存在或不在您的管辖范围内",
    "422": "参数或字段不合要求（fields 标出每一处；含控制字符的文字也在此列）",
}


def document(schema: dict) -> dict:
    """Add the error answers every operation shares to the OpenAPI schema, once, here: clients
    and fuzzers then know each status code an operation can give and its body's shape."""
    for path, methods in schema.get("paths", {}).items():
        for op in methods.values():
            responses = op.setdefault("responses", {})
            takes_params = bool(op.get("parameters")) or "requestBody" in op
            for code, applies in (("400", takes_params), ("401", bool(op.get("security"))),
                                  ("404", "{" in path), ("422", takes_params)):
                if applies and code not in responses and int(code) not in responses:
                    responses[code] = {"description": _COMMON[code], **_ERROR_REF}
    return schema
