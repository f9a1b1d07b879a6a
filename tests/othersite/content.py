"""The articles of the independent test site, as plain data.

Every text here was written for this test site. The story followed is the April 2025 South
Korea-US "2+2" tariff talks; the unrelated pieces run on the same days so that a date window
alone cannot separate them. ``published`` is ISO 8601 with the offset the outlet itself uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REAL_BASES = {
    "yonhap": "https://en.yna.co.kr",
    "koreaherald": "https://www.koreaherald.com",
    "reuters": "https://www.reuters.com",
    "nikkei": "https://asia.nikkei.com",
}

ACCESS = {"yonhap": "full", "koreaherald": "full", "reuters": "blocked", "nikkei": "partial"}


@dataclass(frozen=True)
class Story:
    outlet: str
    path: str  # the path on the real outlet, mirrored as is
    title: str  # the headline as published
    published: str  # ISO 8601 with the outlet's own offset
    related: bool
    paragraphs: tuple[str, ...] = ()
    byline: str | None = None
    email: str | None = None
    desk: str | None = None  # Yonhap's article:author is a desk, not a person
    section: str = ""
    note: str | None = None  # Yonhap editor's note of an updated version
    group: str | None = None  # versions or copies of one story share a group
    keywords: tuple[str, ...] = ()
    image: bool = False
    language: str = "en"
    subhead: str = ""
    tag: str = ""
    description: str | None = None
    in_feed: bool = True  # False: only a listing page (or nothing) links it
    extra: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Yonhap News Agency (English)
# --------------------------------------------------------------------------------------------

_TALKS_CORE = (
    "WASHINGTON, April 24 (Yonhap) -- South Korea and the United States agreed Thursday to work "
    'out a "July package" on tariffs and other trade issues before a 90-day pause on reciprocal '
    "tariffs expires on July 8, Seoul's finance ministry said.",
    "Finance Minister Choi Sang-mok and Industry Minister Ahn Duk-geun held the so-called 2+2 "
    "talks with U.S. Treasury Secretary Scott Bessent and U.S. Trade Representative Jamieson "
    "Greer at the Treasury Department in Washington.",
    "The two sides agreed to discuss four areas: tariffs and non-tariff measures, economic "
    "security, investment cooperation and currency policy, according to the ministry.",
)
_TALKS_CLOSE = (
    "It was the first high-level trade meeting between the allies since U.S. President Donald "
    "Trump imposed a 25 percent reciprocal tariff on South Korea earlier this month. The meeting "
    "lasted about an hour, officials said.",
)
_TALKS_LEAD = (
    "Choi told reporters after the meeting that Seoul asked for an exemption from the reciprocal "
    'tariff and from sector-specific tariffs on autos and steel. "We explained our position in '
    'detail, and the U.S. side listened carefully," he said.',
    "The two sides plan to hold working-level consultations as early as next week to set out the "
    "details of each area, the ministry said.",
    "Currency issues will be handled separately between the finance ministry and the U.S. "
    "Treasury, it added.",
    "Washington also raised South Korea's non-tariff barriers, while Seoul expressed interest in "
    "cooperation on shipbuilding and energy, including liquefied natural gas, officials said.",
)
_TALKS_2ND = (
    "Ahn said defense cost-sharing did not come up at the meeting. "
    '"The cost of U.S. troops was not on the table today," he said.',
    "He added that Seoul will seek a balanced outcome and will not rush to sign anything before "
    "the June 3 presidential election without enough consultation at home.",
    "The trade ministry plans to brief business groups on the outcome early next week.",
)

YONHAP: list[Story] = [
    Story(
        outlet="yonhap",
        path="/view/AEN20250422003100320",
        title="Finance minister leaves for Washington to 'open the door' for tariff talks",
        published="2025-04-22T10:47:31+09:00",
        related=True,
        byline="Park Ji-won",
        email="jwpark@yna.co.kr",
        desk="경제부",
        section="Economy",
        paragraphs=(
            "INCHEON, April 22 (Yonhap) -- Finance Minister Choi Sang-mok left for Washington on "
            "Tuesday, saying his first goal in this week's trade talks with the United States is to \"open "
            'the door" to formal negotiations over the sweeping U.S. tariffs.',
            "Choi, who doubles as deputy prime minister for economic affairs, is set to meet U.S. "
            "Treasury Secretary Scott Bessent and U.S. Trade Representative Jamieson Greer on "
            "Thursday (U.S. time) together with Industry Minister Ahn Duk-geun in a so-called 2+2 "
            "format.",
            '"The most important thing is to open the door for the negotiations and build trust with '
            'our counterparts," Choi told reporters at Incheon International Airport. "We will '
            'approach the talks calmly and in line with our national interest, not in haste."',
            "The United States slapped a 25 percent reciprocal tariff on South Korea on April 2 "
            "before suspending country-specific rates for 90 days on April 9. The reprieve runs out "
            "on July 8, leaving a 10 percent baseline tariff in place for now.",
            "Choi will also attend the spring meetings of the International Monetary Fund and the "
            "World Bank and a gathering of Group of 20 finance ministers during his stay, his "
            "ministry said.",
            "Officials said the agenda for Thursday's meeting has not been finalized, though "
            "Washington is expected to raise exchange rate policy, shipbuilding cooperation and a "
            "possible South Korean role in an Alaska liquefied natural gas project.",
        ),
        image=True,
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250423002600320",
        title="Industry minister heads to U.S. for 2+2 trade talks, eyes tariff relief for autos",
        published="2025-04-23T09:15:04+09:00",
        related=True,
        byline="Cho Hye-rin",
        email="hrcho@yna.co.kr",
        desk="산업부",
        section="Economy",
        paragraphs=(
            "SEOUL, April 23 (Yonhap) -- Industry Minister Ahn Duk-geun departed for Washington on "
            'Wednesday to join this week\'s "2+2" trade talks with the United States, pledging to '
            "seek relief from U.S. tariffs on cars and steel.",
            "Ahn will join Finance Minister Choi Sang-mok, who left a day earlier, for Thursday's "
            "meeting with Treasury Secretary Scott Bessent and U.S. Trade Representative Jamieson "
            "Greer.",
            '"We will explain that South Korea and the United States are partners that can grow '
            'together in manufacturing, including shipbuilding and energy," Ahn told reporters '
            "before boarding his flight. He said Seoul would not rush to reach a final deal at the "
            "first meeting.",
            "The trade ministry said the two sides are still adjusting the list of topics. Officials "
            "expect the U.S. side to bring up non-tariff barriers, such as rules on imported cars and "
            "agricultural quarantine, along with Korea's trade surplus.",
            "Autos are South Korea's largest export item to the U.S. and have been subject to a "
            "separate 25 percent tariff since early April, on top of the country-specific rate that "
            "is now on hold.",
            "Acting President Han Duck-soo said at a Cabinet meeting on Tuesday that the meeting had "
            "been proposed by Washington and that he hoped for an outcome that benefits both "
            "countries.",
        ),
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250424004400320",
        title="(News Focus) What's on the table as Seoul, Washington sit down for 2+2 tariff talks",
        published="2025-04-24T15:30:00+09:00",
        related=True,
        byline="Kim Eun-ji",
        email="ejkim@yna.co.kr",
        desk="경제부",
        section="Economy",
        paragraphs=(
            "SEOUL, April 24 (Yonhap) -- South Korea's top economic policymakers sit down with their "
            "U.S. counterparts in Washington on Thursday for the first high-level talks on tariffs, "
            "with Seoul hoping to win relief for its cars and steel and Washington expected to push "
            "for a broad package.",
            "The 2+2 meeting brings together Finance Minister Choi Sang-mok and Industry Minister Ahn "
            "Duk-geun with Treasury Secretary Scott Bessent and U.S. Trade Representative Jamieson "
            "Greer.",
            'Analysts say U.S. President Donald Trump\'s "one-stop shopping" approach, which he '
            "mentioned after his phone call with Acting President Han Duck-soo on April 8, means "
            "trade, energy and defense costs could all be bundled together.",
            "Seoul is expected to offer cooperation on shipbuilding, where Korean yards have capacity "
            "the U.S. Navy lacks, and to show interest in the Alaska LNG project, although officials "
            "say they still need to study its economic feasibility.",
            "Currency policy is another likely item. The presence of Bessent, whose department "
            "writes the exchange rate reports, suggests Washington may seek commitments on the won.",
            '"The first meeting is about setting the frame," said a researcher at a state-run '
            'think tank. "Seoul will want to avoid any binding promise before the presidential '
            'election."',
            "On Wednesday, Bessent urged U.S. allies to shoulder a greater share of defense costs in "
            "a speech at the Institute of International Finance, remarks seen in Seoul as a sign "
            "that security issues may surface at the table.",
        ),
        image=True,
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250425000300320",
        title="S. Korea, U.S. agree to craft 'July package' on tariffs",
        published="2025-04-25T00:58:12+09:00",
        related=True,
        byline="Park Ji-won",
        email="jwpark@yna.co.kr",
        desk="경제부",
        section="Economy",
        group="yonhap-talks",
        paragraphs=_TALKS_CORE + _TALKS_CLOSE,
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250425000351320",
        title="(LEAD) S. Korea, U.S. agree to craft 'July package' on tariffs",
        published="2025-04-25T02:40:55+09:00",
        related=True,
        byline="Park Ji-won",
        email="jwpark@yna.co.kr",
        desk="경제부",
        section="Economy",
        group="yonhap-talks",
        note="(ATTN: UPDATES with details from talks in paras 4-7)",
        paragraphs=_TALKS_CORE + _TALKS_LEAD + _TALKS_CLOSE,
        image=True,
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250425000352320",
        title="(2nd LD) S. Korea, U.S. agree to craft 'July package' before tariff pause ends",
        published="2025-04-25T07:05:20+09:00",
        related=True,
        byline="Park Ji-won",
        email="jwpark@yna.co.kr",
        desk="경제부",
        section="Economy",
        group="yonhap-talks",
        note="(ATTN: ADDS industry minister's comments in last 3 paras; CHANGES headline)",
        paragraphs=_TALKS_CORE + _TALKS_LEAD + _TALKS_CLOSE + _TALKS_2ND,
        image=True,
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250425005800320",
        title="Bessent says S. Korea 'brought their A game' to tariff talks",
        published="2025-04-25T11:20:40+09:00",
        related=True,
        byline="Lee Min-hyung",
        email="mhlee@yna.co.kr",
        desk="국제뉴스부",
        section="Economy",
        paragraphs=(
            "WASHINGTON, April 24 (Yonhap) -- U.S. Treasury Secretary Scott Bessent said Thursday "
            'that South Korea "brought their A game" to the first round of high-level tariff talks, '
            "adding that the two sides could reach an understanding on technical terms as early as "
            "next week.",
            "Bessent spoke to reporters at the White House hours after the 2+2 meeting with Finance "
            "Minister Choi Sang-mok and Industry Minister Ahn Duk-geun, saying the talks had gone "
            '"very well" and might move faster than he had expected.',
            'He said the two countries could agree on a framework, or an "agreement in principle," '
            "covering tariffs, shipbuilding and other areas, though a final deal would take longer.",
            "U.S. Trade Representative Jamieson Greer wrote on social media that the meeting was "
            "productive and that he looked forward to continuing the talks.",
            "In Seoul, the office of Acting President Han Duck-soo welcomed the positive tone from "
            "Washington but cautioned that the negotiations are only at an early stage.",
            'On Thursday the two sides agreed to work out a "July package" before the 90-day pause '
            "on reciprocal tariffs ends on July 8.",
        ),
    ),
    # -- unrelated, same days --
    Story(
        outlet="yonhap",
        path="/view/AEN20250422000800325",
        title="N. Korea fires ballistic missile toward East Sea: JCS",
        published="2025-04-22T07:52:10+09:00",
        related=False,
        byline="Yoon Ha-neul",
        email="hnyoon@yna.co.kr",
        desk="북한부",
        section="North Korea",
        paragraphs=(
            "SEOUL, April 22 (Yonhap) -- North Korea fired a short-range ballistic missile toward the "
            "East Sea on Tuesday morning, South Korea's Joint Chiefs of Staff (JCS) said.",
            "The missile was launched from the Pyongyang area at around 7:10 a.m. and flew about 300 "
            "kilometers before splashing into waters off the North's east coast, the JCS said, adding "
            "that it is analyzing the details with U.S. and Japanese authorities.",
            '"Our military has strengthened surveillance in preparation for additional launches and '
            'maintains a full readiness posture," the JCS said in a text message to reporters.',
            "It was the North's first ballistic missile launch in about two months. Pyongyang has "
            "denounced the allies' combined military drills, which continued this month, as "
            "rehearsals for an invasion.",
            "The unification ministry called on the North to stop provocations that raise tensions "
            "on the Korean Peninsula and to respond to offers of dialogue.",
            "Japan's defense ministry said the missile appeared to have fallen outside its exclusive "
            "economic zone and that there were no reports of damage to ships or aircraft.",
        ),
        image=True,
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250423005500315",
        title="Yellow dust advisory issued for Seoul metropolitan area",
        published="2025-04-23T13:32:00+09:00",
        related=False,
        desk="사회부",
        section="National",
        paragraphs=(
            "SEOUL, April 23 (Yonhap) -- A yellow dust advisory was issued for Seoul, Incheon and most "
            "of Gyeonggi Province on Wednesday afternoon as dust from the deserts of northern China "
            "and Mongolia blew across the Korean Peninsula, the weather agency said.",
            "Concentrations of coarse dust particles exceeded 300 micrograms per cubic meter in parts "
            "of the capital area, the Korea Meteorological Administration said. Health authorities "
            "advised children, the elderly and people with respiratory conditions to stay indoors and "
            "to wear masks when outside.",
            "The dust is expected to ease on Thursday morning as the wind turns. Outdoor classes at "
            "schools will be shortened, and public sports facilities may close in areas where the "
            "advisory is designated.<br/>(END)",
        ),
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250425003900315",
        title="Japan's tariff envoy Akazawa to visit U.S. again for second round of talks",
        published="2025-04-25T14:05:33+09:00",
        related=False,
        byline="Hwang Seo-yeon",
        email="syhwang@yna.co.kr",
        desk="국제뉴스부",
        section="World",
        paragraphs=(
            "TOKYO, April 25 (Yonhap) -- Japan's top tariff negotiator, Ryosei Akazawa, will travel "
            "to Washington next week for a second round of talks with the United States on President "
            "Donald Trump's tariffs, the Japanese government said Friday.",
            "Akazawa, the minister for economic revitalization, met Trump, Treasury Secretary Scott "
            "Bessent and Commerce Secretary Howard Lutnick on April 16, but the two sides did not "
            "reach an agreement at that meeting.",
            "Tokyo is seeking the removal of a 25 percent tariff on Japanese cars and auto parts as "
            "well as the reciprocal tariff of 24 percent set for Japan, which is suspended for 90 "
            "days.",
            "Japanese media reported that Tokyo is considering larger imports of U.S. soybeans and "
            "corn and buying more American-made vehicles, though officials have said exchange rates "
            "will not be part of the trade talks.",
            "Prime Minister Shigeru Ishiba told lawmakers on Friday that Japan would not make "
            "concessions that hurt its farmers and that it would seek a package that benefits both "
            "countries.",
            "Japan is the largest foreign investor in the United States, and its carmakers have "
            "warned that the auto tariffs could wipe out a large share of their annual profit.",
        ),
    ),
    Story(
        outlet="yonhap",
        path="/view/AEN20250426000200315",
        title="LG Twins rout Bears to extend lead atop KBO standings",
        published="2025-04-26T19:48:00+09:00",
        related=False,
        byline="Nam Gi-hoon",
        email="ghnam@yna.co.kr",
        desk="스포츠부",
        section="Sports",
        paragraphs=(
            "SEOUL, April 26 (Yonhap) -- The LG Twins routed their crosstown rivals, the Doosan "
            "Bears, 11-2 on Saturday to stretch their lead atop the Korea Baseball Organization (KBO) "
            "standings to four games.",
            "The Twins' designated hitter drove in four runs with a double and a three-run homer at "
            "Jamsil Baseball Stadium in Seoul, while their starter held the Bears to one run over "
            "seven innings.",
            "The Twins improved to 24-6, the best start to a season in franchise history. The Bears "
            "fell to 12-17 and have lost five of their last six games.",
            "Elsewhere, the Samsung Lions beat the Kia Tigers 5-4 in 10 innings in Daegu, and the "
            "SSG Landers edged the Hanwha Eagles 3-2 in Incheon.",
            "A sellout crowd of 23,750 filled Jamsil for the second straight day, as the league keeps "
            "drawing record attendance after passing 10 million spectators for the first time last "
            "season.",
            "The two teams meet again on Sunday afternoon.",
        ),
        image=True,
    ),
]


# --------------------------------------------------------------------------------------------
# The Korea Herald
# --------------------------------------------------------------------------------------------

_LEAD_VERSION = next(s for s in YONHAP if s.path.endswith("51320"))

KOREAHERALD: list[Story] = [
    Story(
        outlet="koreaherald",
        path="/article/10471322",
        title="Finance minister flies to Washington for 'door-opening' tariff talks",
        published="2025-04-22T13:05:00",
        related=True,
        byline="Jung Min-ah",
        email="minah@heraldcorp.com",
        section="Business",
        extra={"byline_at": "start", "og_suffix": "yes", "og_url": "yes"},
        description="Choi Sang-mok says the first goal is to open the door to negotiations",
        paragraphs=(
            "Finance Minister Choi Sang-mok departed for Washington on Tuesday for what the "
            'government calls "2+2" talks with the Trump administration, describing the trip as an '
            "effort to open the door to tariff negotiations rather than to strike a deal.",
            "Choi and Industry Minister Ahn Duk-geun will sit down with Treasury Secretary Scott "
            "Bessent and US Trade Representative Jamieson Greer on Thursday, Washington time. It will "
            "be the first ministerial talks between the allies since US President Donald Trump "
            "announced a 25 percent reciprocal tariff on Korean goods on April 2.",
            'Choi said the government would take a "calm and composed" approach. "Our first goal is '
            'to open the door for negotiations and lay the groundwork," he told reporters at Incheon '
            "Airport.",
            "The reciprocal tariffs were suspended for 90 days on April 9, except for a 10 percent "
            "base rate. Korean exporters still face separate 25 percent levies on cars, steel and "
            "aluminum.",
            "Officials said the talks could touch on Korea's purchases of US energy, including "
            "liquefied natural gas, and on shipbuilding, a sector the Trump administration sees as "
            "strategically important.",
            "Ahn is scheduled to leave Seoul on Wednesday.",
        ),
    ),
    Story(
        outlet="koreaherald",
        path="/article/10472010",
        title="Autos, chips, steel top Seoul's list as 2+2 tariff talks near",
        published="2025-04-23T17:40:00",
        related=True,
        byline="Lee Seung-woo",
        email="swlee@heraldcorp.com",
        section="Business",
        in_feed=False,  # fell out of the 50-item feed; only the section page links it, old-form
        extra={"byline_at": "end", "layout": "br", "old_ud": "20250423000612"},
        paragraphs=(
            "Tariffs on automobiles, steel and semiconductors are expected to dominate the first "
            "round of high-level trade talks between Seoul and Washington on Thursday, according to "
            "government officials and analysts.",
            "The three sectors account for more than a third of Korea's exports to the US. Cars "
            "alone brought in more than $30 billion last year, making the US the largest market for "
            "Korean carmakers.",
            "Seoul wants an exemption from the 25 percent auto tariff, which took effect on April 3, "
            "and relief on steel. Chips are not yet subject to tariffs, but the US Commerce "
            "Department has opened an investigation that could lead to new duties.",
            "The trade ministry said Tuesday that the agenda was still being coordinated with the US "
            "side. Supply chains and exchange rate policy are also likely to come up, given the "
            "participation of Treasury Secretary Scott Bessent.",
            "Industry Minister Ahn Duk-geun, who left for Washington on Wednesday to join Finance "
            'Minister Choi Sang-mok, said Korea would present a "win-win" proposal centered on '
            "shipbuilding, energy and manufacturing investment.",
            "Business groups including the Korea International Trade Association have called for a "
            "quick outcome, saying smaller exporters cannot absorb months of uncertainty.",
        ),
    ),
    Story(
        outlet="koreaherald",
        path="/article/10473855",
        title="S. Korea, US agree to craft 'July package' on tariffs",
        published="2025-04-25T08:31:00",
        related=True,
        byline="Yonhap",
        section="National",
        group="yonhap-talks",
        extra={"byline_at": "none", "og_suffix": "yes", "copy_of": _LEAD_VERSION.path},
        description="WASHINGTON -- South Korea and the United States agreed to work out a July package",
        paragraphs=(
            *(
                p.replace("U.S.", "US").replace("Thursday", "Thursday (US time)", 1)
                for p in _LEAD_VERSION.paragraphs
            ),
            "(Yonhap)",
        ),
    ),
    Story(
        outlet="koreaherald",
        path="/article/10474102",
        title="[News Focus] 'July package' buys Seoul time, but defense bill looms",
        published="2025-04-25T15:10:00",
        related=True,
        byline="Kim Ji-yoon",
        email="jiyoon@heraldcorp.com",
        section="Business",
        extra={"byline_at": "start", "og_url": "yes"},
        paragraphs=(
            'South Korea\'s agreement with the United States to craft a "July package" on tariffs '
            "has given Seoul breathing room, but analysts warn that harder questions, including the "
            "bill for American troops, have only been postponed.",
            "At Thursday's 2+2 talks in Washington, Finance Minister Choi Sang-mok and Industry "
            "Minister Ahn Duk-geun agreed with Treasury Secretary Scott Bessent and US Trade "
            "Representative Jamieson Greer to negotiate in four areas: tariffs and non-tariff "
            "measures, economic security, investment cooperation and currency policy.",
            "Seoul officials said defense cost-sharing was not raised. But Trump has repeatedly said "
            'Korea should pay more for the 28,500 US troops stationed here, and his "one-stop '
            'shopping" remark this month suggested he sees security and trade as one deal.',
            '"The deadline has effectively moved to July 8, after the June 3 election," said an '
            'economist at a Seoul think tank. "So the next government, not the caretaker one, will '
            'sign whatever comes out of this."',
            "Working-level talks are expected to begin next week. Bessent said after the meeting "
            'that Korea had "brought their A game," a remark that lifted the won and Korean auto '
            "shares on Friday.",
            "Beijing, meanwhile, warned that it would take countermeasures against any country that "
            "strikes a deal with Washington at China's expense.",
        ),
    ),
    Story(
        outlet="koreaherald",
        path="/article/10474390",
        title="Business groups welcome tariff talks, urge speedy deal",
        published="2025-04-25T19:22:00",
        related=True,
        byline="Choi Yeon-woo",
        email="yeonwoo@heraldcorp.com",
        section="Business",
        extra={"byline_at": "end", "og_suffix": "yes"},
        paragraphs=(
            "Korean business groups on Friday welcomed the outcome of the first high-level trade "
            "talks with the United States and urged the government to secure tariff relief quickly "
            "for exporters.",
            'The Korea International Trade Association said the agreement to work out a "July '
            'package" was a meaningful first step and that it hoped Seoul and Washington would reach '
            "a deal before the 90-day pause on reciprocal tariffs ends.",
            '"Small and midsize exporters already see orders delayed because buyers do not know '
            'what the final tariff will be," a KITA official said.',
            "The Federation of Korean Industries said shipbuilding and energy cooperation could "
            "serve as a bridge between the two economies and called for a joint task force of "
            "government and industry.",
            "Shares of Hyundai Motor and Kia rose more than 2 percent in Seoul, and the won "
            "strengthened against the dollar after Treasury Secretary Scott Bessent praised Korea's "
            "negotiators.",
            "Finance Minister Choi Sang-mok and Industry Minister Ahn Duk-geun are scheduled to "
            "return home this weekend.",
        ),
    ),
    # -- unrelated --
    Story(
        outlet="koreaherald",
        path="/article/10470955",
        title="Presidential hopefuls spar over growth, welfare in first TV debate",
        published="2025-04-21T20:15:00",
        related=False,
        byline="Shin Ji-hoon",
        email="jhshin@heraldcorp.com",
        section="National",
        extra={"byline_at": "start", "og_suffix": "yes", "og_url": "yes"},
        paragraphs=(
            "Candidates in the Democratic Party's presidential primary clashed over growth and "
            "welfare on Monday night in their first televised debate ahead of the June 3 election.",
            "Former party leader Lee Jae-myung, the front-runner, defended his plan to expand public "
            "support for housing and child care, saying growth and fair distribution must go hand "
            "in hand.",
            "His two rivals questioned how the plan would be funded. One warned that the national "
            "debt was rising too fast, while the other called for moving more government offices to "
            "provincial cities to ease the concentration of people and jobs in Seoul.",
            "The three also differed on pension reform and on how quickly to revise working-hour "
            "rules, but agreed that the next president should seek cooperation with the opposition.",
            "The party will hold regional votes over the coming weekend and announce its nominee on "
            "April 27. The conservative People Power Party is running a separate primary.",
        ),
    ),
    Story(
        outlet="koreaherald",
        path="/article/10472480",
        title="National Museum gathers Goryeo celadon masterpieces for spring show",
        published="2025-04-23T10:02:00",
        related=False,
        byline="Yoon Seo-hee",
        email="seohee@heraldcorp.com",
        section="Culture",
        extra={"byline_at": "end"},
        paragraphs=(
            "The National Museum of Korea has brought together more than 270 pieces of Goryeo-era "
            "celadon for a spring exhibition that opened Wednesday in Seoul.",
            "The show includes 12 pieces designated as national treasures, among them a wine pot in "
            "the shape of a turtle and a maebyeong vase with inlaid cranes and clouds.",
            "Several works were lent by museums in Japan and the United States and are on view in "
            "Korea for the first time in decades, the museum said.",
            "Curators arranged the pieces by kiln site, showing how potters in Gangjin and Buan "
            "refined the jade-green glaze between the 11th and 13th centuries.",
            "The exhibition runs through July 6. Admission is free, but visitors are asked to book "
            "time slots online on weekends.",
        ),
    ),
    Story(
        outlet="koreaherald",
        path="/article/10474655",
        title="Early heat: Seoul to hit 27 C on Sunday",
        published="2025-04-26T11:45:00",
        related=False,
        section="National",
        extra={"byline_at": "none", "og_url": "yes"},
        paragraphs=(
            "Daytime temperatures in Seoul are forecast to climb to 27 degrees Celsius on Sunday, "
            "about eight degrees above the seasonal average, the Korea Meteorological Administration "
            "said Saturday.",
            "Inland areas of the southeast, including Daegu, could see 29 C, while morning lows will "
            "stay between 8 C and 14 C, leaving a wide gap between day and night.",
            "The agency warned of a high risk of wildfires in Gangwon and the Gyeongsang provinces, "
            "where little rain has fallen this month, and asked hikers not to light fires.",
            "Rain is expected to spread from the west on Monday afternoon, bringing temperatures "
            "back to normal by midweek.",
            "Health officials advised older people and outdoor workers to drink water often and to "
            "avoid strenuous activity between noon and 4 p.m., when ozone levels also tend to peak.",
        ),
    ),
]


# --------------------------------------------------------------------------------------------
# Reuters: pages are always blocked, so the sitemap metadata is all a crawler can keep.
# --------------------------------------------------------------------------------------------

REUTERS: list[Story] = [
    Story(
        outlet="reuters",
        path="/world/asia-pacific/south-korea-finance-minister-heads-us-tariff-talks-2025-04-22/",
        title="South Korea's finance minister heads to US for tariff talks, aims to 'open the door'",
        published="2025-04-22T02:31:10.000Z",
        related=True,
        keywords=("South Korea", "Tariffs", "Trade", "Choi Sang-mok"),
        image=True,
    ),
    Story(
        outlet="reuters",
        path="/world/asia-pacific/south-korea-trade-minister-says-no-rush-us-tariff-deal-2025-04-23/",
        title="South Korea trade minister says no need to rush tariff deal with US before election",
        published="2025-04-23T01:12:44.000Z",
        related=True,
        image=True,
    ),
    Story(
        outlet="reuters",
        path="/world/asia-pacific/south-korea-us-agree-work-july-package-tariffs-2025-04-24/",
        title="South Korea, US agree to work on 'July package' to remove tariffs",
        published="2025-04-24T16:55:03.000Z",
        related=True,
        keywords=("South Korea", "United States", "Tariffs", "Scott Bessent", "Jamieson Greer"),
        image=True,
    ),
    Story(
        outlet="reuters",
        path="/business/finance/bessent-says-south-korea-brought-their-a-game-talks-2025-04-25/",
        title="Bessent says South Korea 'brought their A game' in trade talks",
        published="2025-04-25T00:40:18.000Z",
        related=True,
    ),
    Story(
        outlet="reuters",
        path="/world/asia-pacific/corea-del-sur-eeuu-acuerdan-paquete-de-julio-2025-04-24/",
        title="Corea del Sur y EEUU acuerdan trabajar en un 'paquete de julio' sobre aranceles",
        published="2025-04-24T18:02:00.000Z",
        related=False,  # on the story, but not English: the sitemap says es, keep en only
        language="es",
        image=True,
    ),
    Story(
        outlet="reuters",
        path="/world/japan/japans-akazawa-plans-second-round-us-tariff-talks-2025-04-25/",
        title="Japan's tariff negotiator Akazawa plans second trip to Washington for Bessent talks",
        published="2025-04-25T05:20:00.000Z",
        related=False,
        keywords=("Japan", "Tariffs", "Trade", "Scott Bessent"),
        image=True,
    ),
    Story(
        outlet="reuters",
        path="/world/asia-pacific/north-korea-fires-ballistic-missile-toward-sea-2025-04-21/",
        title="North Korea fires ballistic missile toward sea, South Korea says",
        published="2025-04-21T23:15:00.000Z",
        related=False,
        keywords=("North Korea", "Missiles"),
    ),
    Story(
        outlet="reuters",
        path="/sports/golf/ko-takes-two-shot-lead-into-final-round-texas-2025-04-26/",
        title="Ko takes two-shot lead into final round in Texas",
        published="2025-04-26T01:10:00.000Z",
        related=False,
        image=True,
    ),
    Story(
        outlet="reuters",
        path="/business/energy/oil-slips-demand-worries-2025-04-21/",
        title="Oil slips as demand worries weigh on prices",
        published="2025-04-21T03:00:00.000Z",
        related=False,
    ),
]


# --------------------------------------------------------------------------------------------
# Nikkei Asia: a hard paywall, the public preview only.
# --------------------------------------------------------------------------------------------

NIKKEI: list[Story] = [
    Story(
        outlet="nikkei",
        path="/politics/international-relations/south-korea-s-finance-chief-heads-to-washington-to-open-door-on-tariffs",
        title="South Korea's finance chief heads to Washington to 'open door' on tariffs",
        subhead="Choi Sang-mok and trade minister to meet Bessent and Greer in first 2+2 talks",
        published="2025-04-22T12:20:00+09:00",
        related=True,
        byline="KIM JAEWON, Nikkei staff writer",
        tag="International relations",
        paragraphs=(
            "SEOUL -- South Korean Finance Minister Choi Sang-mok left for Washington on Tuesday "
            "ahead of the country's first ministerial-level tariff talks with the Trump "
            'administration, saying his goal was to "open the door" to negotiations rather than to '
            "seal a deal.",
            "Choi and Industry Minister Ahn Duk-geun are scheduled to meet U.S. Treasury Secretary "
            "Scott Bessent and Trade Representative Jamieson Greer on Thursday in what Seoul calls a "
            '"2+2" format, as the caretaker government tries to head off a 25% reciprocal tariff '
            "that has been suspended until July.",
        ),
    ),
    Story(
        outlet="nikkei",
        path="/business/shipbuilding/south-korea-pins-tariff-hopes-on-shipbuilding-and-alaska-lng",
        title="South Korea pins tariff hopes on shipbuilding and Alaska LNG",
        subhead="Seoul weighs offers ahead of 2+2 talks as Trump seeks 'one-stop shopping'",
        published="2025-04-23T17:05:00+09:00",
        related=True,
        byline="PARK SOO-BIN, Nikkei staff writer",
        tag="Shipbuilding",
        paragraphs=(
            "SEOUL -- As South Korea's top economic officials head to Washington for tariff talks "
            "this week, Seoul is preparing to put its shipbuilding prowess and a possible role in a "
            "giant Alaska gas project on the table.",
            "U.S. President Donald Trump said after an April 8 call with Acting President Han "
            'Duck-soo that he wanted "one-stop shopping" covering trade, energy and the cost of U.S. '
            "troops in Korea. Officials hope cooperation in ship repair and construction can win "
            "relief from the 25% tariff on autos.",
        ),
    ),
    Story(
        outlet="nikkei",
        path="/economy/trade-war/south-korea-and-us-agree-to-draw-up-july-package-on-tariffs",
        title="South Korea and US agree to draw up 'July package' on tariffs",
        subhead="First 2+2 talks cover tariffs, economic security, investment and currency",
        published="2025-04-25T06:48:00+09:00",
        related=True,
        byline="KIM JAEWON, Nikkei staff writer",
        tag="Trade war",
        paragraphs=(
            'SEOUL -- South Korea and the U.S. agreed on Thursday to put together a "July package" '
            "of measures on tariffs before a 90-day pause on Washington's reciprocal duties ends on "
            "July 8, Seoul's finance ministry said after the first high-level talks between the "
            "two sides.",
            "Finance Minister Choi Sang-mok and Industry Minister Ahn Duk-geun met Treasury "
            "Secretary Scott Bessent and Trade Representative Jamieson Greer in Washington. They "
            "agreed to discuss four areas: tariffs and non-tariff measures, economic security, "
            "investment cooperation and currency policy.",
        ),
    ),
    Story(
        outlet="nikkei",
        path="/politics/international-relations/bessent-says-south-korea-brought-a-game-as-tariff-talks-speed-up",
        title="Bessent says South Korea 'brought their A game' as tariff talks speed up",
        subhead="US Treasury chief sees possible agreement in principle soon",
        published="2025-04-25T13:30:00+09:00",
        related=True,
        byline="MARK CHEN, Nikkei staff writer",
        tag="International relations",
        paragraphs=(
            "WASHINGTON -- U.S. Treasury Secretary Scott Bessent on Thursday praised South Korean "
            'negotiators for bringing "their A game" to the first round of tariff talks, saying the '
            "two countries could move faster than expected toward a framework deal.",
            "Bessent spoke hours after he and Trade Representative Jamieson Greer met South Korea's "
            "finance and industry ministers in the so-called 2+2 talks. China's commerce ministry, "
            "meanwhile, warned trading partners against striking deals with Washington at Beijing's "
            "expense.",
        ),
    ),
    # -- unrelated --
    Story(
        outlet="nikkei",
        path="/economy/trade-war/japan-s-akazawa-to-return-to-washington-for-second-round-of-tariff-talks",
        title="Japan's Akazawa to return to Washington for second round of tariff talks",
        subhead="Tokyo seeks removal of auto levies as Bessent pushes for quick deals",
        published="2025-04-24T19:10:00+09:00",
        related=False,
        byline="HARUKA TANIGUCHI, Nikkei staff writer",
        tag="Trade war",
        paragraphs=(
            "TOKYO -- Japan's chief tariff negotiator Ryosei Akazawa will travel to Washington again "
            "next week for a second round of talks with the Trump administration, the government "
            "said, as Tokyo presses for the removal of a 25% tariff on Japanese cars.",
            "Akazawa met U.S. President Donald Trump, Treasury Secretary Scott Bessent and Commerce "
            "Secretary Howard Lutnick on April 16. Japan faces a 24% reciprocal tariff that has been "
            "suspended for 90 days, and officials in Tokyo have said currency will not be part of "
            "the trade negotiations.",
        ),
    ),
    Story(
        outlet="nikkei",
        path="/life-arts/arts/seoul-gallery-weekend-draws-collectors-despite-market-slump",
        title="Seoul gallery weekend draws collectors despite market slump",
        subhead="Dealers report steady sales of midprice works as auction prices cool",
        published="2025-04-21T09:00:00+09:00",
        related=False,
        byline="LEE HYE-JIN, Contributing writer",
        tag="Arts",
        paragraphs=(
            "SEOUL -- More than 40 galleries across Seoul opened late over the weekend for an "
            "annual event that brought collectors from Hong Kong, Singapore and Tokyo to the "
            "city's Samcheong-dong and Hannam-dong districts.",
            "Dealers said sales of works priced under $50,000 were steady, even as results at "
            "major auction houses have cooled from the peak of 2022.",
        ),
    ),
    Story(
        outlet="nikkei",
        path="/politics/philippine-elections/philippine-midterm-candidates-court-overseas-voters",
        title="Philippine midterm candidates court overseas voters",
        subhead="Online voting debuts for millions of Filipinos working abroad",
        published="2025-04-23T11:00:00+09:00",
        related=False,
        byline="CLIFF VENZON, Nikkei staff writer",
        tag="Philippine elections",
        paragraphs=(
            "MANILA -- Candidates in the Philippines' May 12 midterm elections are stepping up "
            "campaigns aimed at the millions of Filipinos working overseas, who can vote online for "
            "the first time this year.",
            "The election commission said more than 1.2 million overseas voters had registered for "
            "the new system, which opened on April 13 and runs until election day.",
        ),
    ),
    Story(
        outlet="nikkei",
        path="/spotlight/environment/asia-braces-for-early-heat-waves",
        title="Asia braces for early heat waves as April records fall",
        subhead="Schools shorten hours from Manila to Dhaka",
        published="2025-04-26T08:00:00+09:00",
        related=False,
        byline="NIKKEI ASIA STAFF",
        tag="Environment",
        extra={"legacy_path": "/Spotlight/Environment/Asia-braces-for-early-heat-waves"},
        paragraphs=(
            "BANGKOK -- Governments across South and Southeast Asia are shortening school hours and "
            "warning outdoor workers to rest as temperatures broke April records in several "
            "countries.",
            "Meteorologists said the heat arrived weeks earlier than usual, and power grids in "
            "Thailand and Vietnam set new demand peaks as households turned up air conditioning.",
        ),
    ),
]

STORIES: list[Story] = YONHAP + KOREAHERALD + REUTERS + NIKKEI
