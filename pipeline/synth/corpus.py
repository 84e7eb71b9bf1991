"""Text corpus for synthetic pages: the seed page's text plus a little extra news prose.

The seed file (``seed_page1.txt``) is a real page's text: ``# title``, ``# subtitle``,
``# author``, three ``# column`` sections and ``# footer``, one printed line per line.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

SEED_FILE = Path(__file__).with_name("seed_page1.txt")
IDEO_SPACE = "\u3000"

# Plain modern news prose of our own, with some digits and Latin, to vary the corpus.
EXTRA_PROSE = (
    "2017年上半年，全区实现地区生产总值同比增长7.6%，增速比一季度加快0.3个百分点。"
    "规模以上工业增加值增长8.2%，其中高技术制造业增长12.5%，对工业增长的贡献明显提高。"
    "据统计，今年前7个月全区新增城镇就业4.3万人，城镇登记失业率控制在3.2%以内。"
    "记者从总工会获悉，今年以来各级工会共举办职业技能培训1200多期，培训职工8.6万人次。"
    "在第八师石河子市，一批青年技术工人通过“师带徒”方式迅速成长为生产骨干。"
    "该企业投入资金2000万元建设职工创新工作室，先后完成技术攻关项目37项。"
    "专家认为，推动产业工人队伍建设改革，关键在于打通技术工人的职业发展通道。"
    "目前，全国已有3000多家企业建立了技能人才评价体系，覆盖职工近500万人。"
    "一些企业通过网络平台开展在线学习，职工利用手机APP就能随时参加技能培训。"
    "在今年的职工职业技能大赛中，来自基层一线的选手获得了4个一等奖。"
    "下一步，有关部门将继续完善技能人才激励政策，提高技术工人的待遇和社会地位。"
    "据介绍，这项工程总投资约15亿元，计划于2018年底前全部建成投入使用。"
    "当天上午，200多名职工代表参加了座谈会，大家围绕企业发展和职工权益踊跃发言。"
    "今年以来，该市PM2.5平均浓度同比下降9.1%，空气质量优良天数比例达到81%。"
    "工会干部深入车间班组，面对面听取职工意见，帮助解决实际困难230余件。"
    "这家公司的研发团队平均年龄只有32岁，已获得国家发明专利18项。"
    "农业合作社带动周边农户发展特色种植，户均年增收1.2万元。"
    "全年GDP预计增长7%左右，居民人均可支配收入增长与经济增长基本同步。"
    "项目建成后，年产值可达5亿元，可为当地提供就业岗位600多个。"
    "许多老职工感慨地说，现在的车间干净明亮，工作环境比过去好多了。"
)

TITLES = [
    "技能人才成长的新通道", "让劳动者更有获得感", "工匠精神在车间传承",
    "产业工人队伍建设改革观察", "小微企业党建的新探索", "创新工作室里的年轻人",
    "职工书屋温暖万家", "走进戈壁滩上的新工厂", "一线工人的技术攻关路",
    "打通技能人才发展通道", "绿洲深处的产业新城", "把服务送到职工身边",
]
TITLE_PAIRS = [
    ("让技能人才脱颖而出", "为产业发展注入新动能"), ("把服务送到职工身边", "让劳动者更有获得感"),
    ("深化产业工人队伍建设改革", "夯实工人阶级主力军地位"), ("弘扬劳模精神工匠精神", "营造尊重劳动的良好氛围"),
    ("创新工作室里的年轻人", "用技术攻关书写青春"),
]
SUBTITLES = [
    "——记第八师石河子市技术能手王建军", "——全区工会职工技能培训工作综述",
    "——来自基层一线的调查报告", "——《新时期产业工人队伍建设改革方案》系列解读",
    "——访自治区总工会有关负责人", "——一家国有企业的转型之路",
]
AUTHORS = ["□龚惠文", "□本刊记者 李明", "◎本刊记者 孙鹏娜", "作者：张海燕",
           "□文/王立新", "□通讯员 赵晓东 刘强"]
HEADINGS = [
    "加强思想政治引领", "拓宽职业发展通道", "完善激励保障机制", "发挥工会组织作用",
    "创新驱动企业发展", "基层一线的声音", "让技能人才脱颖而出", "营造尊重劳动的氛围",
]
NUMERALS = "一二三四五六七八九十"
CAPTIONS = [
    "职工在创新工作室进行技术攻关", "技术工人在车间操作数控机床", "劳模工作室成员在一起交流",
    "工会干部深入一线看望职工", "新建成的厂区一角", "青年职工参加技能比赛",
]
SIDEBAR_HEADINGS = ["链接：什么是产业工人", "读者心声", "相关新闻", "背景资料", "数据看点"]
MAGAZINES = [("兵团工运", "2017年第8期"), ("企业文明", "2023.7"), ("城市开发", "2021年6月"),
             ("农村工作通讯", "2014.3"), ("时代风采", "2022年第5期"), ("职工天地", "2019年第11期")]

_ASCII_TO_WIDE = str.maketrans({",": "，", ";": "；", ":": "：", "?": "？", "!": "！",
                                "(": "（", ")": "）"})


def parse_seed(text: str | None = None) -> dict:
    """Parse the seed format into {'title': [...], 'subtitle': [...], 'author': [...],
    'columns': [[line, ...], ...], 'footer': [...]} (lines kept exactly, trailing newline removed)."""
    if text is None:
        text = SEED_FILE.read_text(encoding="utf-8")
    out: dict = {"title": [], "subtitle": [], "author": [], "columns": [], "footer": [], "header": []}
    cur = None
    for raw in text.splitlines():
        line = raw.rstrip("\r\n")
        if line.startswith("# "):
            name = line[2:].strip()
            if name == "column":
                out["columns"].append([])
                cur = out["columns"][-1]
            else:
                cur = out.setdefault(name, [])
            continue
        if not line.strip():
            continue
        if cur is None:  # plain text without sections: one column of lines
            out["columns"].append([])
            cur = out["columns"][-1]
        cur.append(line)
    return out


def split_sentences(text: str) -> list[str]:
    parts = re.findall(r"[^。！？!?]+[。！？!?]+[”」』]?", text)
    return [p.strip(IDEO_SPACE + " ") for p in parts if len(p.strip()) >= 6]


def seed_paragraphs(parsed: dict) -> list[str]:
    """Join printed lines back into paragraphs (a line starting with two U+3000 starts one)."""
    paras: list[str] = []
    for col in parsed["columns"]:
        for line in col:
            if line.startswith(IDEO_SPACE * 2) or not paras:
                paras.append(line.lstrip(IDEO_SPACE))
            else:
                paras[-1] += line
    return paras


@lru_cache(maxsize=8)
def _sentences(text: str | None) -> tuple[str, ...]:
    parsed = parse_seed(text)
    body = "".join(seed_paragraphs(parsed))
    sents = split_sentences(body.translate(_ASCII_TO_WIDE))
    if text is None:
        sents += split_sentences(EXTRA_PROSE)
    return tuple(sents)


class TextSource:
    """Seeded stream of paragraphs and short strings, recombined from the corpus sentences."""

    def __init__(self, seed: int, text: str | None = None):
        self.rng = random.Random(seed * 7919 + 17)
        self.sents = list(_sentences(text))
        if not self.sents:
            raise ValueError("empty text corpus")
        self.pool: list[str] = []

    def sentence(self) -> str:
        if not self.pool:
            if self.__dict__.get("_used_corpus"):
                # the corpus is spent (a long page, a spread): made-up sentences from
                # here on, so no text repeats on a page and every block can be found
                # in the output by its text alone
                return made_up_sentence(self.rng)
            self._used_corpus = True
            self.pool = self.sents[:]
            self.rng.shuffle(self.pool)
        return self.pool.pop()

    def paragraph(self, lo: int = 1, hi: int = 5) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(lo, hi)))

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def distinct(self, seq, key: str):
        """Items of ``seq`` in a seeded order without repeats (cycling when exhausted)."""
        lst = self.__dict__.setdefault("_distinct_" + key, [])
        if not lst:
            lst.extend(seq)
            self.rng.shuffle(lst)
        return lst.pop()

    def title(self, lines: int) -> list[str]:
        if lines == 2:
            return list(self.pick(TITLE_PAIRS))
        return [self.pick(TITLES)]

    def heading(self, i: int, style: int) -> str:
        h = self.distinct(HEADINGS, "heading")
        return f"{NUMERALS[i % 10]}、{h}" if style == 0 else "■" + h

    def caption(self, style: int) -> str:
        c = self.pick(CAPTIONS)
        return ("▲ " + c) if style == 0 else ("图为" + c) if style == 1 else c


# Made-up news sentences: slots filled at random, numbers included, so that
# they practically never repeat. Vocabulary of our own.
_PLACES = ["第八师石河子市", "乌鲁木齐市", "昌吉州", "伊犁州", "哈密市", "库尔勒市", "阿克苏地区",
           "喀什地区", "吐鲁番市", "克拉玛依市", "博乐市", "塔城地区", "五家渠市", "阿拉尔市"]
_ORGS = ["总工会", "人社局", "发展改革委", "统计局", "工商联", "住建局", "科技局", "教育局",
         "交通运输局", "农业农村局", "团委", "妇联"]
_TRAINING = ["职业技能培训", "安全生产培训", "劳动竞赛", "岗位练兵活动", "技术比武", "创新成果展示",
             "职工读书活动", "送温暖活动", "法律知识讲座", "健康义诊"]
_INDUSTRY = ["纺织", "食品加工", "机械制造", "新能源", "物流", "建筑", "化工", "电子", "农机", "棉花加工"]
_GOALS = ["建设职工创新工作室", "改造生产车间", "引进自动化生产线", "建立技能人才库", "完善职工食堂",
          "开设夜校课程", "修建职工宿舍", "升级信息系统"]
_RESULTS = ["生产效率提高了{p}%", "年节约成本{x}万元", "产品合格率达到{q}%", "新增就业岗位{n}个",
            "职工收入平均增加{x}元", "完成技术攻关项目{n}项"]
_THINGS = ["全年接待职工来访{n}人次", "帮助解决实际困难{n}余件", "发放慰问金{x}万元",
           "培养技术骨干{n}名", "建成职工书屋{n}家", "签订集体合同{n}份"]


def made_up_sentence(rng: random.Random) -> str:
    def fill(t: str) -> str:
        return t.format(p=rng.randint(3, 40), q=rng.randint(90, 99), n=rng.randint(12, 980),
                        x=rng.randint(15, 9800), y=rng.randint(2012, 2023), m=rng.randint(1, 12))
    place, org = rng.choice(_PLACES), rng.choice(_ORGS)
    res = rng.choice(_RESULTS)
    forms = [
        "{y}年以来，" + place + org + "共举办" + rng.choice(_TRAINING) + "{n}期，参加职工{x}人次。",
        "据" + place + org + "介绍，当地" + rng.choice(_INDUSTRY) + "企业今年前{m}个月" + res + "。",
        place + "一家" + rng.choice(_INDUSTRY) + "企业投入资金{x}万元" + rng.choice(_GOALS) + "，" + res + "。",
        "记者从" + place + org + "获悉，今年以来" + rng.choice(_THINGS) + "。",
        place + org + "负责人表示，下一步将继续" + rng.choice(_GOALS) + "，力争" + res + "。",
        "截至{m}月底，" + place + "已有{n}家企业" + rng.choice(_GOALS) + "，覆盖职工{x}人。",
    ]
    return fill(rng.choice(forms))
