"""Cite: a post action that shows a post as a citation, to paste into a report or an email."""

from tidings.extensions.manifest import Manifest, Place
from tidings.extensions.registry import App

APP = App(
    manifest=Manifest(
        key="cite",
        name={"en": "Cite", "zh-hant": "引用", "zh-hans": "引用"},
        description={
            "en": "Cite a post in a report or an email: its author, date, words and address.",
            "zh-hant": "把一則貼文引用到報告或郵件中:作者、日期、內容與網址。",
            "zh-hans": "把一则帖子引用到报告或邮件中:作者、日期、内容与网址。",
        },
        icon="❝",
        scopes=("read:statuses",),
        places=(Place(kind="post_action", label={"en": "Cite", "zh-hant": "引用", "zh-hans": "引用"}),),
        targets=("organisation", "group", "personal"),
    ),
    urls="tidings_cite.urls",
)
