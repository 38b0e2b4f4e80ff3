"""The customer page in Chinese and English: a small catalogue, and the language a visitor gets."""

# Chinese text uses full-width punctuation, and times read better with an en dash.
# ruff: noqa: RUF001

from __future__ import annotations

from datetime import date, datetime

from flask import Request

LANGUAGES = ("zh-CN", "en")
DEFAULT = "zh-CN"
COOKIE = "lang"

CATALOGUE: dict[str, dict[str, str]] = {
    "title": {"en": "Your appointment", "zh-CN": "您的预约"},
    "order": {"en": "Order {reference}", "zh-CN": "订单 {reference}"},
    "kind.install": {"en": "Installation", "zh-CN": "安装"},
    "kind.repair": {"en": "Repair", "zh-CN": "维修"},
    "kind.exchange": {"en": "Exchange", "zh-CN": "换货"},
    "kind.pickup": {"en": "Pickup", "zh-CN": "取件"},
    "what": {"en": "What we will do", "zh-CN": "服务内容"},
    "where": {"en": "Address", "zh-CN": "服务地址"},
    "when": {"en": "Appointment", "zh-CN": "预约时间"},
    "none_yet": {"en": "No appointment yet.", "zh-CN": "尚未预约。"},
    "stage.scheduled": {"en": "Booked", "zh-CN": "已预约"},
    "stage.on_the_way": {"en": "The technician is on the way", "zh-CN": "技师正在路上"},
    "stage.arrived": {"en": "The technician has arrived", "zh-CN": "技师已到达"},
    "stage.in_progress": {"en": "Work in progress", "zh-CN": "正在服务"},
    "stage.done": {"en": "Done", "zh-CN": "已完成"},
    "eta": {"en": "Expected at {time}", "zh-CN": "预计 {time} 到达"},
    "choose": {"en": "Choose a time", "zh-CN": "选择上门时间"},
    "reschedule": {"en": "Choose another time", "zh-CN": "改约其他时间"},
    "no_slots_phone": {
        "en": "No time is free in the next days. Please call us on {phone} and we will arrange one with you.",
        "zh-CN": "近期暂无可预约时间，请致电 {phone}，我们将为您安排。",
    },
    "no_slots": {
        "en": "No time is free in the next days. Please check again later or call us.",
        "zh-CN": "近期暂无可预约时间，请稍后再试或致电我们。",
    },
    "recommended": {"en": "Recommended", "zh-CN": "推荐"},
    "cancel": {"en": "Cancel the appointment", "zh-CN": "取消预约"},
    "booked": {"en": "Your appointment is booked.", "zh-CN": "预约成功。"},
    "rescheduled": {"en": "Your appointment is moved to the new time.", "zh-CN": "预约已改期。"},
    "cancelled": {"en": "Your appointment is cancelled.", "zh-CN": "预约已取消。"},
    "taken": {
        "en": "Sorry, that time has just been taken. Please choose another.",
        "zh-CN": "抱歉，该时间刚被约满，请另选时间。",
    },
    "closed": {
        "en": "This appointment can no longer be changed on line; please call us.",
        "zh-CN": "该预约已无法在线修改，请致电我们。",
    },
    "invalid": {
        "en": "That time cannot be booked; please choose one of those shown.",
        "zh-CN": "该时间无法预约，请从列表中选择。",
    },
    "expired": {
        "en": "The page has expired; please try again.",
        "zh-CN": "页面已过期，请重试。",
    },
    "not_bookable": {
        "en": "This order cannot be booked on line now.",
        "zh-CN": "该订单目前无法在线预约。",
    },
    "not_found": {
        "en": "This link is not valid or has expired.",
        "zh-CN": "链接无效或已过期。",
    },
    "language": {"en": "中文", "zh-CN": "English"},
}
WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def choose_language(request: Request) -> str:
    """The language asked for by link, else remembered in the cookie, else the browser's preference."""
    for asked in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if asked in LANGUAGES:
            return asked
    for tag, _quality in request.accept_languages:
        primary = tag.lower().split("-")[0]
        if primary == "zh":
            return "zh-CN"
        if primary == "en":
            return "en"
    return DEFAULT


def translate(language: str, key: str, **values: object) -> str:
    """The message in the language, filled in; English when a translation is missing."""
    entry = CATALOGUE[key]
    return entry.get(language, entry["en"]).format(**values)


def day_label(language: str, day: date) -> str:
    """A day as customers read it: "Tue 24 Nov" or "11月24日 周二"."""
    weekday = WEEKDAYS[language][day.weekday()]
    if language == "zh-CN":
        return f"{day.month}月{day.day}日 {weekday}"
    return f"{weekday} {day.day} {MONTHS[day.month - 1]}"


def time_range(start: datetime, end: datetime) -> str:
    """Local wall-clock times of a slot, "08:00-10:00"."""
    return f"{start:%H:%M}–{end:%H:%M}"
