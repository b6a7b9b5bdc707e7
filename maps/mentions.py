import re

# Django usernames: letters, digits and @/./+/-/_ ; a mention ends at anything else.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def mentioned_usernames(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in MENTION.finditer(text):
        seen.setdefault(match.group(1).rstrip("."), None)
    return list(seen)
