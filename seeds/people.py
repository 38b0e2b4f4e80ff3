"""Chinese personal names, mobile numbers and e-mail addresses, drawn from a seeded generator."""

from __future__ import annotations

import random

# Common surnames, weighted towards those frequent in Shanghai and the Yangtze delta, with pinyin.
_SURNAMES = """
    王 wang, 李 li, 张 zhang, 刘 liu, 陈 chen, 杨 yang, 黄 huang, 赵 zhao, 吴 wu, 周 zhou, 徐 xu, 孙 sun,
    朱 zhu, 胡 hu, 郭 guo, 何 he, 高 gao, 林 lin, 沈 shen, 陆 lu, 顾 gu, 钱 qian, 蒋 jiang, 曹 cao,
    姚 yao, 金 jin, 汪 wang, 倪 ni, 施 shi, 许 xu, 丁 ding, 潘 pan, 范 fan, 唐 tang, 马 ma, 宋 song
"""
# Given names seen across generations; technicians draw from the first list, customers from both.
_GIVEN_NAMES_MEN = """
    伟 wei, 强 qiang, 磊 lei, 军 jun, 勇 yong, 杰 jie, 涛 tao, 明 ming, 超 chao, 刚 gang, 斌 bin, 鹏 peng,
    建华 jianhua, 志强 zhiqiang, 晓东 xiaodong, 文博 wenbo, 浩然 haoran, 俊杰 junjie, 宇轩 yuxuan,
    嘉豪 jiahao, 国平 guoping, 海峰 haifeng, 卫东 weidong, 立新 lixin, 建国 jianguo, 晨 chen
"""
_GIVEN_NAMES_WOMEN = """
    芳 fang, 娜 na, 敏 min, 静 jing, 丽 li, 艳 yan, 娟 juan, 霞 xia, 婷 ting, 颖 ying, 琳 lin, 慧 hui,
    秀英 xiuying, 海燕 haiyan, 欣怡 xinyi, 雨桐 yutong, 佳怡 jiayi, 子涵 zihan, 思琪 siqi, 美玲 meiling,
    晓燕 xiaoyan, 丹 dan
"""


def _pairs(table: str) -> tuple[tuple[str, str], ...]:
    return tuple((hanzi, pinyin) for hanzi, pinyin in (entry.split() for entry in table.split(",")))


SURNAMES = _pairs(_SURNAMES)
GIVEN_NAMES_MEN = _pairs(_GIVEN_NAMES_MEN)
GIVEN_NAMES_WOMEN = _pairs(_GIVEN_NAMES_WOMEN)

# Prefixes of the mainland carriers that the numbering plan accepts as mobile.
MOBILE_PREFIXES = tuple(
    str(prefix)
    for prefix in (*range(130, 140), *range(150, 154), *range(155, 160), 166, 177, *range(180, 190), 199)
)

MAIL_DOMAINS = ("163.com", "126.com", "sina.com", "hotmail.com", "outlook.com")


def person_name(rng: random.Random, *, technician: bool = False) -> tuple[str, str]:
    """A name in characters with its pinyin, e.g. ("王伟", "wangwei")."""
    surname, surname_pinyin = rng.choice(SURNAMES)
    pool = GIVEN_NAMES_MEN if technician else GIVEN_NAMES_MEN + GIVEN_NAMES_WOMEN
    given, given_pinyin = rng.choice(pool)
    return surname + given, surname_pinyin + given_pinyin


def mobile_number(rng: random.Random) -> str:
    """A mainland mobile number in E.164 form."""
    digits = "".join(str(rng.randrange(10)) for _ in range(8))
    return f"+86{rng.choice(MOBILE_PREFIXES)}{digits}"


def email_address(rng: random.Random, pinyin: str) -> str:
    """A plausible personal mailbox: numeric QQ mail or a pinyin handle at a Chinese or global provider."""
    if rng.random() < 0.4:
        return f"{rng.randint(10_000_000, 3_999_999_999)}@qq.com"
    return f"{pinyin}{rng.randint(1, 999)}@{rng.choice(MAIL_DOMAINS)}"
