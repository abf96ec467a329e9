"""What the standards tests share: the standard a steward edits, a field to add to it, and the codes of
the standards the hub ships."""

CODE = "tomato-paste.exports"
NEW_FIELD = {
    "name": "container_count",
    "type": "integer",
    "role": "measure",
    "unit": "1",
    "aggregation": "sum",
    "disclosure_class": "quantity",
    "precision": "0",
    "minimum": "0",
    "maximum": "500",
    "title_en": "Containers",
    "title_zh-hans": "集装箱数",
    "title_ru": "Контейнеры",
    "title_kk": "Контейнерлер саны",
    "title_ky": "Контейнерлердин саны",
    "title_uz": "Konteynerlar soni",
    "description_en": "Number of containers shipped.",
    "description_zh-hans": "发运的集装箱数量。",
    "description_ru": "Число отгруженных контейнеров.",
    "description_kk": "Жөнелтілген контейнерлер саны.",
    "description_ky": "Жөнөтүлгөн контейнерлердин саны.",
    "description_uz": "Joʻnatilgan konteynerlar soni.",
    "aliases_ru": "контейнеры, кол-во контейнеров",
}

# The standards of the design, one folder each under standards/.
SHIPPED_CODES = {
    "tomato-paste.exports",
    "tomato-paste.production",
    "sea-buckthorn.exports",
    "sea-buckthorn.harvest",
    "textiles.exports",
    "textiles.mill",
    "firm.profile",
    "ca.market-prices",
    "ca.border-crossings",
}
