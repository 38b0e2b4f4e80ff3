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
    "survey": {"en": "How did we do?", "zh-CN": "服务评价"},
    "survey.rating": {"en": "Overall (1 poor – 5 excellent)", "zh-CN": "总体评分（1 很差 – 5 很好）"},
    "survey.technician_rating": {"en": "The technician", "zh-CN": "技师评分"},
    "survey.solved": {"en": "Was the problem solved?", "zh-CN": "问题是否已解决？"},
    "survey.yes": {"en": "Yes", "zh-CN": "是"},
    "survey.no": {"en": "No", "zh-CN": "否"},
    "survey.tags": {"en": "Anything in particular?", "zh-CN": "印象标签"},
    "survey.comment": {"en": "Comment (optional)", "zh-CN": "留言（可选）"},
    "survey.nps": {
        "en": "How likely are you to recommend us to a friend? (0–10, optional)",
        "zh-CN": "您向朋友推荐我们的可能性有多大？（0–10，可选）",
    },
    "survey.send": {"en": "Send", "zh-CN": "提交评价"},
    "tag.on_time": {"en": "On time", "zh-CN": "准时"},
    "tag.tidy": {"en": "Tidy", "zh-CN": "整洁"},
    "tag.friendly": {"en": "Friendly", "zh-CN": "态度好"},
    "tag.expert": {"en": "Knew the job", "zh-CN": "专业"},
    "tag.late": {"en": "Late", "zh-CN": "迟到"},
    "tag.messy": {"en": "Left a mess", "zh-CN": "未清理现场"},
    "tag.rude": {"en": "Impolite", "zh-CN": "态度差"},
    "tag.damage": {"en": "Something was damaged", "zh-CN": "有物品损坏"},
    "surveyed": {"en": "Thank you for your feedback.", "zh-CN": "感谢您的评价。"},
    "survey_closed": {
        "en": "The survey is not open: the work is not done yet, or you have already answered.",
        "zh-CN": "评价暂不可用：服务尚未完成，或您已评价过。",
    },
    "nps_again": {
        "en": "You answered the recommendation question recently; please send the survey without it.",
        "zh-CN": "您近期已回答过推荐问题，请不选该项后再提交。",
    },
    "survey_invalid": {
        "en": "Please give both ratings and say whether the problem was solved.",
        "zh-CN": "请填写两项评分，并选择问题是否已解决。",
    },
    "complaint": {"en": "Something wrong? Tell us", "zh-CN": "投诉与反馈"},
    "complaint.send": {"en": "Send to the service team", "zh-CN": "提交投诉"},
    "complained": {
        "en": "We have your complaint; our service team will contact you.",
        "zh-CN": "已收到您的投诉，客服将尽快与您联系。",
    },
    "complaint_invalid": {"en": "Please describe what went wrong.", "zh-CN": "请描述您遇到的问题。"},
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
