"""The demo alliance: the shipped sectors and standards, 59 member firms (24 in tomato paste, 17 in sea
buckthorn, 18 in textiles; enough contributors for benchmarks), an applicant, two partners (each with
a data-sharing agreement and a machine client `<slug>-demo`), a secretariat and a steward.

Idempotent: running it again changes nothing. Every demo organization `<slug>` has the users
admin@<slug>.example, contributor@<slug>.example and viewer@<slug>.example; the steward is
steward@alliance.example; all share DEMO_PASSWORD, which is also the demo machine clients' secret.
Memberships are granted directly, without invitations (`services.grant_membership`, the internal
path): the steward adds each firm's first admin, and that admin the others.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.benchmarks.models import DEFAULT_COHORT
from apps.exchange.clients import create_machine_client
from apps.exchange.models import Agreement, MachineClient
from apps.exchange.services import Grant, create_agreement
from apps.organizations import services
from apps.organizations.models import EnterpriseGroup, Membership, Organization, Role, Sector
from apps.standards.services import load_standards

DEMO_PASSWORD = "alliance-demo-2026"
STEWARD_EMAIL = "steward@alliance.example"

# slug, English short name, Chinese short name, sector, region, size class, enterprise group
FIRMS = [
    (
        "red-valley-tomato",
        "Red Valley Tomato",
        "红谷番茄",
        "tomato-paste",
        "Changji",
        "large",
        "Red Valley Group",
    ),
    (
        "red-valley-paste",
        "Red Valley Paste Mill",
        "红谷酱厂",
        "tomato-paste",
        "Bayingolin",
        "medium",
        "Red Valley Group",
    ),
    ("golden-field-paste", "Golden Field Paste", "金田番茄制品", "tomato-paste", "Changji", "medium", ""),
    ("sunny-slope-foods", "Sunny Slope Foods", "阳坡食品", "tomato-paste", "Bortala", "small", ""),
    ("oasis-red-agro", "Oasis Red Agro", "绿洲红农业", "tomato-paste", "Bayingolin", "medium", ""),
    ("tarim-harvest", "Tarim Harvest", "塔里木丰收", "tomato-paste", "Aksu", "large", ""),
    ("brix-masters", "Brix Masters", "白利大师", "tomato-paste", "Shihezi", "small", ""),
    ("river-bend-canning", "River Bend Canning", "河湾罐头", "tomato-paste", "Tacheng", "small", ""),
    ("steppe-tomato-works", "Steppe Tomato Works", "草原番茄厂", "tomato-paste", "Hami", "micro", ""),
    ("eastern-gate-paste", "Eastern Gate Paste", "东门番茄酱", "tomato-paste", "Turpan", "medium", ""),
    (
        "tianshan-tomato",
        "Tianshan Tomato",
        "天山番茄",
        "tomato-paste",
        "Changji",
        "large",
        "Tianshan Agri Group",
    ),
    (
        "tianshan-canning",
        "Tianshan Canning",
        "天山罐头",
        "tomato-paste",
        "Wujiaqu",
        "small",
        "Tianshan Agri Group",
    ),
    ("silk-road-paste", "Silk Road Paste", "丝路番茄酱", "tomato-paste", "Bayingolin", "large", ""),
    ("kaidu-river-paste", "Kaidu River Paste", "开都河番茄酱", "tomato-paste", "Bayingolin", "medium", ""),
    ("bosten-lake-foods", "Bosten Lake Foods", "博斯腾湖食品", "tomato-paste", "Bayingolin", "small", ""),
    ("ruby-sun-paste", "Ruby Sun Paste", "红阳番茄酱", "tomato-paste", "Shihezi", "medium", ""),
    ("crimson-plain-agro", "Crimson Plain Agro", "红原农业", "tomato-paste", "Aral", "medium", ""),
    ("desert-spring-foods", "Desert Spring Foods", "沙泉食品", "tomato-paste", "Aral", "small", ""),
    ("double-river-paste", "Double River Paste", "双河番茄酱", "tomato-paste", "Bortala", "medium", ""),
    ("west-wind-paste", "West Wind Paste", "西风番茄酱", "tomato-paste", "Tacheng", "small", ""),
    ("snow-peak-tomato", "Snow Peak Tomato", "雪峰番茄", "tomato-paste", "Tacheng", "medium", ""),
    ("harvest-moon-paste", "Harvest Moon Paste", "丰月番茄酱", "tomato-paste", "Turpan", "small", ""),
    ("jade-valley-foods", "Jade Valley Foods", "玉谷食品", "tomato-paste", "Hami", "micro", ""),
    ("sunrise-tomato", "Sunrise Tomato", "旭日番茄", "tomato-paste", "Tumxuk", "micro", ""),
    ("amber-berry", "Amber Berry", "琥珀沙棘", "sea-buckthorn", "Altay", "medium", ""),
    (
        "mountain-gold-berry",
        "Mountain Gold Berry",
        "山金沙棘",
        "sea-buckthorn",
        "Ili",
        "small",
        "Mountain Gold Holdings",
    ),
    (
        "mountain-gold-oil",
        "Mountain Gold Oil",
        "山金油脂",
        "sea-buckthorn",
        "Ili",
        "small",
        "Mountain Gold Holdings",
    ),
    ("wild-orchard", "Wild Orchard", "野果园", "sea-buckthorn", "Tacheng", "micro", ""),
    ("silver-leaf-tea", "Silver Leaf Tea", "银叶茶", "sea-buckthorn", "Altay", "micro", ""),
    ("sunberry-extracts", "Sunberry Extracts", "阳光果提取", "sea-buckthorn", "Bortala", "medium", ""),
    ("frost-berry-frozen", "Frost Berry Frozen Foods", "霜果速冻", "sea-buckthorn", "Changji", "small", ""),
    ("highland-juice", "Highland Juice", "高原果汁", "sea-buckthorn", "Ili", "medium", ""),
    ("orange-drop-oil", "Orange Drop Oil", "橙滴油", "sea-buckthorn", "Karamay", "small", ""),
    ("northern-cluster", "Northern Cluster", "北方果簇", "sea-buckthorn", "Altay", "large", ""),
    ("vita-gold-extracts", "Vita Gold Extracts", "维金提取物", "sea-buckthorn", "Urumqi", "large", ""),
    ("ili-valley-berry", "Ili Valley Berry", "伊犁河谷沙棘", "sea-buckthorn", "Ili", "medium", ""),
    ("berry-spring-drinks", "Berry Spring Drinks", "果泉饮品", "sea-buckthorn", "Changji", "medium", ""),
    ("golden-thorn", "Golden Thorn", "金刺果业", "sea-buckthorn", "Altay", "small", ""),
    ("pamir-berry", "Pamir Berry", "帕米尔沙棘", "sea-buckthorn", "Kizilsu", "small", ""),
    ("kanas-berry-farm", "Kanas Berry Farm", "喀纳斯果园", "sea-buckthorn", "Altay", "micro", ""),
    ("jeminay-wild-fruit", "Jeminay Wild Fruit", "吉木乃野果", "sea-buckthorn", "Altay", "micro", ""),
    ("white-gold-cotton", "White Gold Cotton", "白金棉业", "textiles", "Aksu", "large", ""),
    ("silk-thread-mill", "Silk Thread Mill", "丝线纺纱", "textiles", "Kashgar", "medium", ""),
    ("cloud-weave", "Cloud Weave", "云织", "textiles", "Shihezi", "medium", "Cloud Textile Group"),
    ("cloud-knit", "Cloud Knit", "云针织", "textiles", "Shihezi", "small", "Cloud Textile Group"),
    ("desert-rose-garments", "Desert Rose Garments", "沙漠玫瑰服装", "textiles", "Hotan", "small", ""),
    ("long-staple-spinning", "Long Staple Spinning", "长绒纺纱", "textiles", "Aksu", "large", ""),
    ("home-comfort-textiles", "Home Comfort Textiles", "家舒纺织", "textiles", "Changji", "medium", ""),
    ("blue-loom", "Blue Loom", "蓝织机", "textiles", "Kashgar", "micro", ""),
    ("caravan-apparel", "Caravan Apparel", "驼队服饰", "textiles", "Turpan", "small", ""),
    ("fine-count-yarn", "Fine Count Yarn", "细支纱线", "textiles", "Bayingolin", "medium", ""),
    (
        "jade-river-spinning",
        "Jade River Spinning",
        "玉河纺纱",
        "textiles",
        "Hotan",
        "large",
        "Jade River Group",
    ),
    (
        "jade-river-garments",
        "Jade River Garments",
        "玉河服装",
        "textiles",
        "Hotan",
        "small",
        "Jade River Group",
    ),
    ("prairie-yarn", "Prairie Yarn", "草原纱线", "textiles", "Wujiaqu", "medium", ""),
    ("tumxuk-denim", "Tumxuk Denim", "图木舒克牛仔布", "textiles", "Tumxuk", "medium", ""),
    ("snow-lotus-knitwear", "Snow Lotus Knitwear", "雪莲针织", "textiles", "Urumqi", "small", ""),
    ("bright-cotton-home", "Bright Cotton Home", "亮棉家纺", "textiles", "Changji", "small", ""),
    ("atlas-silk-workshop", "Atlas Silk Workshop", "艾德莱斯丝绸坊", "textiles", "Hotan", "micro", ""),
    ("highland-felt", "Highland Felt", "高原毡业", "textiles", "Kizilsu", "micro", ""),
]
# slug, English name, Russian name, country
PARTNERS = [
    ("steppe-freight", "Steppe Freight Logistics", "Степная грузовая логистика", "KZ"),
    ("regional-chamber", "Regional Chamber of Commerce", "Региональная торговая палата", "KG"),
]
# partner slug, title, lag in months, what it reads {standard: measures} (cohort `all`), what it pushes
AGREEMENTS = [
    (
        "steppe-freight",
        "Export volumes and prices for route planning",
        3,
        {
            "tomato-paste.exports": ["quantity", "unit_price"],
            "sea-buckthorn.exports": ["quantity", "unit_price"],
        },
        ["ca.border-crossings"],
    ),
    (
        "regional-chamber",
        "Sector benchmarks for the chamber's export reports",
        6,
        {
            "tomato-paste.exports": ["quantity", "value", "unit_price", "brix"],
            "sea-buckthorn.exports": ["quantity", "value", "unit_price"],
            "textiles.exports": ["value", "unit_price"],
        },
        ["ca.market-prices"],
    ),
]
APPLICANT = ("new-horizon-foods", "New Horizon Foods", "新地平线食品", "tomato-paste", "Hami", "small", "")


class Command(BaseCommand):
    help = "Create the demo alliance (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = self._seed()
        self.stdout.write(
            f"Demo alliance ready ({created} new organizations). Sign in at http://127.0.0.1:8000/ as "
            f"{STEWARD_EMAIL}, or admin@<slug>.example / contributor@<slug>.example / viewer@<slug>.example "
            f"(e.g. admin@red-valley-tomato.example); password: {DEMO_PASSWORD}"
        )

    def _seed(self) -> int:
        password = make_password(DEMO_PASSWORD)
        steward = self._user(STEWARD_EMAIL, "Alliance Steward", password)
        services.make_steward(user=steward)
        load_standards()  # the sectors and the shipped standards
        sectors = {sector.code: sector for sector in Sector.objects.all()}
        created = 0
        secretariat = self._organization(
            steward,
            "alliance-secretariat",
            "Alliance Secretariat",
            {"en": "Secretariat", "zh-hans": "联盟秘书处"},
            Organization.Kind.SECRETARIAT,
            "CN",
            "Urumqi",
            "",
            [],
            None,
        )
        created += secretariat[1]
        for slug, name_en, name_zh, sector, region, size, group in [*FIRMS, APPLICANT]:
            enterprise_group = EnterpriseGroup.objects.get_or_create(name=group)[0] if group else None
            organization, new = self._organization(
                steward,
                slug,
                f"{name_en} Co., Ltd.",
                {"en": name_en, "zh-hans": name_zh},
                Organization.Kind.MEMBER,
                "CN",
                region,
                size,
                [sectors[sector]],
                enterprise_group,
                status=Organization.Status.PENDING if slug == APPLICANT[0] else Organization.Status.ACTIVE,
            )
            created += new
        for slug, name_en, name_ru, country in PARTNERS:
            _organization, new = self._organization(
                steward,
                slug,
                name_en,
                {"en": name_en, "ru": name_ru},
                Organization.Kind.PARTNER,
                country,
                "",
                "",
                [],
                None,
            )
            created += new
        for organization in Organization.objects.all():
            self._members(steward, organization, password)
        self._agreements(steward)
        self._machine_clients()
        return created

    def _agreements(self, steward: User) -> None:
        """Each demo partner's agreement, in force since the demo's first month, recorded by the steward."""
        for slug, title, lag, reads, pushes in AGREEMENTS:
            partner = Organization.objects.get(slug=slug)
            if Agreement.objects.filter(partner=partner).exists():
                continue
            create_agreement(
                actor=steward,
                partner=partner,
                title=title,
                valid_from=date(2024, 1, 1),
                lag_months=lag,
                reads=[Grant(code, tuple(measures), (DEFAULT_COHORT,)) for code, measures in reads.items()],
                push_standards=pushes,
            )

    def _machine_clients(self) -> None:
        """Each demo partner's machine client, made by its admin: client id `<slug>-demo`, secret
        DEMO_PASSWORD (for local use only, like the demo logins)."""
        for slug, *_names in PARTNERS:
            partner = Organization.objects.get(slug=slug)
            if MachineClient.objects.filter(application__client_id=f"{slug}-demo").exists():
                continue
            create_machine_client(
                actor=User.objects.get(email=f"admin@{slug}.example"),
                organization=partner,
                name="Demo client",
                client_id=f"{slug}-demo",
                secret=DEMO_PASSWORD,
            )

    def _members(self, steward: User, organization: Organization, password_hash: str) -> None:
        """The steward adds the firm's first admin (it has none yet), who adds the others."""
        granter = steward
        for role in (Role.ADMIN, Role.CONTRIBUTOR, Role.VIEWER):
            user = self._user(
                f"{role}@{organization.slug}.example", f"{role.label} {organization.name}", password_hash
            )
            if not Membership.objects.filter(user=user, organization=organization).exists():
                services.grant_membership(actor=granter, organization=organization, user=user, role=role)
            if role == Role.ADMIN:
                granter = user

    def _user(self, email: str, full_name: str, password_hash: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(email=email, full_name=full_name, password=password_hash)
        return user

    def _organization(
        self,
        steward: User,
        slug: str,
        legal_name: str,
        short_names: dict[str, str],
        kind: str,
        country: str,
        region: str,
        size_class: str,
        sectors: list[Sector],
        enterprise_group: EnterpriseGroup | None,
        status: str = Organization.Status.ACTIVE,
    ) -> tuple[Organization, int]:
        existing = Organization.objects.filter(slug=slug).first()
        if existing is not None:
            return existing, 0
        organization = services.create_organization(
            actor=steward,
            slug=slug,
            legal_name=legal_name,
            short_names=short_names,
            kind=kind,
            country=country,
            region=region,
            size_class=size_class,
            sectors=sectors,
            enterprise_group=enterprise_group,
            status=status,
        )
        return organization, 1
