"""Stories: grouping, ranking, topics, continuity across runs — pure functions, tables of cases."""

from __future__ import annotations

import random

import pytest

from summarizer.chunking import chunk_article
from summarizer.compose import item_points, item_story
from summarizer.models import Article, Briefing, Point, Span, Story
from summarizer.novelty import EarlierRun, earlier_run, mark_new
from summarizer.stories import (
    Plan,
    adjusted_rand,
    agglomerate,
    cap_members,
    continuity,
    dense_pairs,
    digest,
    group,
    lead,
    matches,
    neighbours,
    outlet_key,
    plan_day,
    purity,
    story_id,
    when,
)


@pytest.mark.parametrize(("truth", "found", "ari"), [
    ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
    ([0, 0, 1, 1], [5, 5, 3, 3], 1.0),  # label names do not matter
    ([0, 0, 1, 1], [0, 0, 1, 2], 0.5714285714285715),  # scikit-learn's value for this case
    ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),  # worse than chance (scikit-learn's documented value)
    ([0, 0, 1, 2], [0, 0, 0, 0], 0.0),  # everything in one story carries no information
])
def test_adjusted_rand(truth: list[int], found: list[int], ari: float) -> None:
    assert adjusted_rand(truth, found) == pytest.approx(ari)


@pytest.mark.parametrize(("truth", "found", "p"), [
    ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
    ([0, 0, 1, 1], [0, 0, 0, 0], 0.5),
    ([0, 0, 1, 1], [0, 1, 2, 3], 1.0),  # splitting is pure; ARI is what punishes it
])
def test_purity(truth: list[int], found: list[int], p: float) -> None:
    assert purity(truth, found) == p


def test_agglomerate_merges_while_the_average_link_holds() -> None:
    sim = [[1, .9, .1, 0], [.9, 1, .3, 0], [.1, .3, 1, 0], [0, 0, 0, 1]]
    pairs = dense_pairs(sim)
    assert agglomerate(4, pairs, 0.5) == [[0, 1], [2], [3]]
    assert agglomerate(4, pairs, 0.2) == [[0, 1, 2], [3]]  # mean of .1 and .3 is .2
    assert agglomerate(4, pairs, 0.21) == [[0, 1], [2], [3]]
    assert agglomerate(0, {}, 0.1) == []


def test_agglomerate_compares_only_linked_groups_but_averages_over_all_their_pairs() -> None:
    sim = [[1, .9, .1, 0], [.9, 1, .3, 0], [.1, .3, 1, 0], [0, 0, 0, 1]]
    only_strong = {(0, 1): .9, (1, 2): .3}  # (0, 2) is not given: it counts only through ``similarity``
    assert agglomerate(4, only_strong, 0.2, lambda i, j: sim[i][j]) == [[0, 1, 2], [3]]  # (.1 + .3) / 2
    assert agglomerate(4, only_strong, 0.2) == [[0, 1], [2], [3]]  # without it: (0 + .3) / 2 = .15 < .2
    assert agglomerate(4, {(0, 1): .9}, 0.0, lambda i, j: sim[i][j]) == [[0, 1], [2], [3]]  # (1, 2) never linked


def naive_average_linkage(sim: list[list[float]], threshold: float) -> list[list[int]]:
    """The textbook algorithm, all pairs every round: what the heap-based one must equal."""
    groups = [[i] for i in range(len(sim))]
    while len(groups) > 1:
        best, pair = threshold, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                link = sum(sim[x][y] for x in groups[a] for y in groups[b]) / (len(groups[a]) * len(groups[b]))
                if link > best or (link == best and pair is None):
                    best, pair = link, (a, b)
        if pair is None:
            break
        a, b = pair
        groups[a] = sorted(groups[a] + groups.pop(b))
    return sorted(groups, key=lambda g: g[0])


@pytest.mark.parametrize("seed", range(40))
def test_agglomerate_equals_the_textbook_average_linkage(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(2, 14)
    sim = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            sim[i][j] = sim[j][i] = round(rng.random() ** 3, 6) if rng.random() < 0.5 else 0.0
    threshold = rng.choice([0.05, 0.1, 0.2, 0.4])
    want = naive_average_linkage(sim, threshold)
    assert agglomerate(n, dense_pairs(sim), threshold) == want
    strong = {p: v for p, v in dense_pairs(sim).items() if v >= threshold}  # what ``neighbours`` gives
    assert agglomerate(n, strong, threshold, lambda i, j: sim[i][j]) == want


def test_neighbours_pairs_articles_through_their_heaviest_words_only() -> None:
    vs = [{"quake": .9, "peru": .3, "said": .1}, {"quake": .8, "arequipa": .5, "said": .1},
          {"vote": .9, "said": .2}, {"said": .95, "vote": .05}]
    got = neighbours(vs, 0.0, top=1)
    assert set(got) == {(0, 1)} and got[(0, 1)] == pytest.approx(.9 * .8 + .1 * .1)  # the whole cosine
    assert (2, 3) in neighbours(vs, 0.0, top=2)  # "vote" is among 3's two heaviest
    assert neighbours(vs, 0.8, top=2) == {}  # below ``least``: left out
    assert neighbours(vs, 0.0, top=1, most=1) == {}  # "quake" heads two articles: more than ``most``


DAY = {
    "quake": ("Earthquake strikes Peru", "A magnitude 7.1 earthquake struck southern Peru on Tuesday, "
              "killing at least 12 people and damaging hundreds of homes in Arequipa."),
    "quake2": ("Peru earthquake toll rises", "The death toll from Tuesday's magnitude 7.1 earthquake in "
               "southern Peru rose to 15, officials in Arequipa said, as rescuers searched damaged homes."),
    "vote": ("Parliament passes budget", "Lawmakers in Canberra passed the federal budget late on Wednesday "
             "after the Senate agreed to changes on childcare spending and tax offsets."),
    "vote2": ("Australian budget clears Senate", "Australia's Senate agreed to the federal budget on "
              "Wednesday night in Canberra, after the government conceded on childcare spending."),
    "match": ("United beat City", "Manchester United beat City 2-1 at Old Trafford on Sunday with a late "
              "goal from their captain in front of a sold-out crowd."),
}


def day(*keys: str, outlets: dict[str, str] | None = None, published: dict[str, str] | None = None) -> list[Article]:
    return [Article(id=i, path=f"{k}.txt", title=DAY[k][0], text=f"{DAY[k][0]}\n\n{DAY[k][1]}\n",
                    outlet=(outlets or {}).get(k), published=(published or {}).get(k))
            for i, k in enumerate(keys, start=1)]


def test_stories_are_events_and_rank_by_independent_outlets() -> None:
    arts = day("match", "quake", "vote", "quake2", "vote2",
               outlets={"quake": "Reuters", "quake2": "AP", "vote": "ABC", "vote2": "ABC"})
    plans = plan_day(arts)
    assert [p.members for p in plans] == [[2, 4], [1], [3, 5]]  # ties on outlets: input order
    assert [p.reason for p in plans] == ["2 outlets", "1 source", "1 outlet"]  # one outlet twice is one


def test_articles_the_user_says_are_one_story_are_told_as_one() -> None:
    """``build --one-story`` (and ``eval``, whose clusters are one story each): no grouping, one
    story of every article and outlet, however little their words overlap."""
    arts = day("match", "quake", "vote", outlets={"match": "BBC", "quake": "Reuters", "vote": "ABC"})
    assert len(plan_day(arts)) == 3
    (plan,) = plan_day(arts, one_story=True)
    assert plan.members == [1, 2, 3] and plan.outlets == 3
    assert plan_day([], one_story=True) == []


def test_topics_rank_first_and_recency_breaks_ties() -> None:
    arts = day("quake", "quake2", "vote", "vote2", "match",
               published={"vote": "2026-11-20T08:00:00Z", "quake": "Tue, 17 Nov 2026 10:00:00 GMT"})
    assert [p.members[0] for p in plan_day(arts)] == [3, 1, 5]  # 2, 2, 1 sources; vote newer
    boosted = plan_day(arts, topics=["united city"])
    assert [p.members[0] for p in boosted] == [5, 3, 1]
    assert boosted[0].reason.startswith("1 source · matches “united city”")
    assert plan_day(arts, topics=["united arequipa"])[0].members[0] == 3  # every word must match


@pytest.mark.parametrize(("published", "iso"), [
    ("2026-11-20T08:00:00Z", "2026-11-20T08:00:00+00:00"),
    ("2026-11-20", "2026-11-20T00:00:00+00:00"),
    ("Fri, 20 Nov 2026 08:00:00 +0100", "2026-11-20T08:00:00+01:00"),
    ("yesterday", None),
    ("", None),
    (None, None),
])
def test_when(published: str | None, iso: str | None) -> None:
    t = when(published)
    assert (t.isoformat() if t else None) == iso


@pytest.mark.parametrize(("outlet", "url", "key"), [
    ("Reuters ", None, "reuters"),
    (None, "https://www.bbc.co.uk/news/x", "bbc.co.uk"),
    (None, None, "#1"),
    ("", "http://example.org/a", "example.org"),
])
def test_outlet_key(outlet: str | None, url: str | None, key: str) -> None:
    assert outlet_key(Article(id=1, path="a", title="t", text="x", outlet=outlet, url=url)) == key


@pytest.mark.parametrize(("topic", "text", "hit"), [
    ("ukraine", "Troops for Ukraine's defence", True),
    ("Ukraine troops", "troop pledges for Ukraine", True),  # stemmed
    ("Ukraine troops", "Ukraine ceasefire talks", False),
    ("the", "the the", False),  # no content word: matches nothing
])
def test_matches(topic: str, text: str, hit: bool) -> None:
    assert matches(topic, text) is hit


def test_lead_is_title_and_first_words() -> None:
    text = "Title line\n\n" + " ".join(f"w{i}" for i in range(400)) + "\n"
    got = lead("Title line", text, words=10)
    assert got.split()[:2] == ["Title", "line"] and len(got.split()) <= 12
    assert group([]) == []


def story_of(sid: str, keys: list[str], first_id: int) -> tuple[Story, dict[int, Article]]:
    arts = {first_id + n: Article(id=first_id + n, path=k, title=k, text=DAY[k][1]) for n, k in enumerate(keys)}
    return Story(id=sid, title=keys[0], sources=list(arts), outlets=len(arts), reason=""), arts


def test_continuity_by_shared_article_then_by_similarity_one_to_one() -> None:
    quake, a1 = story_of("s-quake", ["quake"], 1)
    vote, a2 = story_of("s-vote", ["vote"], 2)
    then = {**a1, **a2}
    now_stories, now = [], {}
    for n, keys in enumerate([["quake2"], ["vote", "vote2"], ["match"]]):  # no shared article, same event; ...
        st, arts = story_of("", keys, 10 * (n + 1))
        now_stories.append(st)
        now.update(arts)
    links = continuity(now_stories, now, [quake, vote], then)
    assert links[0] is not None and links[0][0] == "s-quake" and links[0][1].startswith("similar")
    assert links[1] == ("s-vote", "shares 1 article")
    assert links[2] is None
    assert continuity(now_stories, now, [], {}) == [None, None, None]


def test_story_ids_are_stable_and_new_points_are_from_new_articles() -> None:
    first = day("quake", "vote", "vote2")
    by_id = {a.id: a for a in first}

    def stories_of(arts: list[Article], groups: list[list[int]]) -> list[Story]:
        out = []
        for g in groups:
            pts = [Point(text=arts[i - 1].text, citations=[Span(source=i, quote="q", start=0, end=1)]) for i in g]
            out.append(Story(id="", title=arts[g[0] - 1].title, points=pts, sources=g, outlets=len(g), reason=""))
        return out

    one = stories_of(first, [[1], [2, 3]])
    mark_new(one, by_id, None)
    assert all(s.new for s in one) and one[0].id == story_id([digest(first[0].text)])
    briefing = Briefing(title="t", summary="", sources=[], points=[], stories=one)
    before: EarlierRun = earlier_run(7, briefing, first)

    second = day("quake", "quake2", "vote", "vote2", "match")
    two = stories_of(second, [[1, 2], [3, 4], [5]])
    mark_new(two, {a.id: a for a in second}, before)
    assert [s.id for s in two[:2]] == [one[0].id, one[1].id]
    assert [s.new for s in two] == [False, False, True]
    assert [p.new for p in two[0].points] == [False, True]  # quake2 arrived since run 7
    assert two[0].continues == "shares 1 article"


def test_an_item_cites_its_first_sentences_that_state_something() -> None:
    text = ("Storm hits coast\n\nBy Staff\n\nA storm hit the northern coast on Monday, cutting power to "
            "40,000 homes.\n\nPlease subscribe to our newsletter for more updates every single day.\n\n"
            "Crews expect to restore most lines by Wednesday evening, the utility said.\n\nMore later.\n")
    a = Article(id=3, path="a.txt", title="Storm hits coast", text=text)
    chunks = chunk_article(a, 1200, lambda t: len(t.split()))
    pts = item_points(a, chunks, 2)
    assert [p.text for p in pts] == [
        "A storm hit the northern coast on Monday, cutting power to 40,000 homes.",
        "Crews expect to restore most lines by Wednesday evening, the utility said.",
    ]
    for p in pts:
        c = p.citations[0]
        assert text[c.start:c.end] == c.quote and c.source == 3


@pytest.mark.parametrize(("outlets", "most", "kept", "unread"), [
    (["a", "a", "b", "b", "c", "c"], 3, [1, 3, 5], 3),  # each outlet's first before any second
    (["a", "a", "b", "b", "c", "c"], 4, [1, 2, 3, 5], 2),  # then seconds, in input order
    (["a", "b"], 5, [1, 2], 0),  # under the limit: untouched
    (["a"] * 5, 2, [1, 2], 3),
])
def test_a_story_over_the_limit_is_read_from_its_outlets_first(outlets: list[str], most: int, kept: list[int],
                                                               unread: int) -> None:
    arts = {i: Article(id=i, path=f"{i}.txt", title="t", text="x", outlet=o) for i, o in enumerate(outlets, start=1)}
    plan = Plan(members=list(arts), outlets=len(set(outlets)), outlets_known=True, latest=None)
    assert cap_members(plan, arts, most) == unread
    assert plan.members == kept


def test_the_day_plan_caps_its_stories_before_any_chunk() -> None:
    text = "Ministers met in Brussels on Thursday to plan the peacekeeping mission for Ukraine. " * 3
    arts = [Article(id=i, path=f"{i}.txt", title="Allies plan Ukraine peacekeeping mission", text=text,
                    outlet=f"outlet {i % 3}") for i in range(1, 8)]
    (plan,) = plan_day(arts, max_articles=3)
    assert plan.unread == 4 and plan.members == [1, 2, 3]


def test_an_item_is_its_headline_and_one_sentence() -> None:
    """Issue 16: a one-article item is a headline and one sentence; an article without a headline
    gets one made from its first two statements (here the second, the first being too long)."""
    text = ("HOUSTON (AP) - A storm that forecasters had tracked for more than a week across the Gulf hit the "
            "northern coast of Texas on Monday night, cutting power to 40,000 homes in three counties, "
            "officials said.\n\nCrews are restoring power lines across the county, the utility said.\n\n"
            "Schools will stay closed until Wednesday.\n")
    a = Article(id=3, path="a.txt", title="HOUSTON (AP) - A storm that forecasters had tracked for more…", text=text)
    plan = Plan(members=[3], outlets=1, outlets_known=True, latest=None)
    plan.chunks = chunk_article(a, 1200, lambda t: len(t.split()))
    story, leads = item_story(a, plan, 1)
    assert len(story.points) == 1 and story.points[0].text.startswith("A storm that forecasters")
    assert len(leads) == 2
    assert story.title == "Crews are restoring power lines across the county"
