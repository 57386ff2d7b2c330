"""The report form, and turning page posts into the operations' inputs."""
from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.core.operations import Operation
from gongzhi.domain import text
from gongzhi.domain.enums import Channel, EventKind, Urgency
from gongzhi.events.models import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or a voice note in one input; the content check happens in intake."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,audio/*,video/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        return [single(d, initial) for d in data] if isinstance(data, (list, tuple)) else (
            [single(data, initial)] if data else [])


def refuse_control_characters(value: str) -> None:
    """The input models' rule (gongzhi.domain.text) for the one page form that is a Django form."""
    found = text.problem(value)
    if found:
        raise ValidationError(found, code="forbidden_character")


class TextField(forms.CharField):
    default_validators = [refuse_control_characters]


STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.WALK_IN, Channel.HOTLINE, Channel.POLICE_110,
                                                Channel.GRID_PATROL, Channel.OTHER)]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件类型"), choices=EventKind.choices())
    category = forms.ChoiceField(label=_("事件分类"))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices(), initial=Urgency.NORMAL)
    # Typing pauses ask for the classifier's suggestion (kind, category, urgency), shown under the field.
    description = TextField(label=_("问题描述"), widget=forms.Textarea(attrs={
        "rows": 4, "hx-post": "/report/suggest", "hx-trigger": "keyup changed delay:700ms",
        "hx-target": "#suggestion", "hx-swap": "innerHTML"}), min_length=5,
                                  max_length=5000, help_text=_("时间、地点、经过，越具体越好办理"))
    address = TextField(label=_("地址"), required=False, max_length=200,
                              help_text=_("可在地图上点选位置，或直接填写地址"))
    lon = forms.FloatField(label=_("经度"), required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(label=_("纬度"), required=False, widget=forms.HiddenInput)
    grid = forms.ChoiceField(label=_("所在网格"), required=False, help_text=_("没有定位时请选择网格"))
    photos = MultipleFileField(label=_("照片/语音/视频"))
    anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    reporter_name = TextField(label=_("报告人姓名"), required=False, max_length=64)
    reporter_phone = TextField(label=_("联系电话"), required=False, max_length=20)
    channel = forms.ChoiceField(label=_("来源渠道"), choices=STAFF_CHANNELS, required=False)
    client_key = TextField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, grids=(), staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        cats = Category.objects.filter(active=True).order_by("path")
        self.fields["category"].choices = [("", "请选择")] + [
            (c.code, ("　" * (c.path.count("/") - 2)) + c.name) for c in cats]
        self.fields["grid"].choices = [("", "（按地图定位）")] + [(g.code, g.name) for g in grids]
        if not staff:
            del self.fields["channel"]
        self.initial.setdefault("client_key", uuid.uuid4().hex)
        for name, field in self.fields.items():
            if field.required:
                field.widget.attrs.setdefault("required", "required")
            field.widget.attrs.setdefault("aria-describedby", f"{name}-help {name}-error")


def operation_payload(op: Operation, post) -> dict:
    """A page form post → the dict the operation's schema validates (the API gets JSON)."""
    data = {}
    for name in op.schema.model_fields:
        if name == "departments":        # 吹哨: a checkbox per department, a role select each
            data[name] = [{"department": code, "role": post.get(f"role_{code}", "assist")}
                          for code in post.getlist("departments")]
        elif name in post:
            value = post.get(name)
            data[name] = None if value == "" and name in ("area", "department", "version") else value
    return data
