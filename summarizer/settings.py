"""Every threshold of the product, in one object, each with the measurement that chose it.

``SETTINGS`` is read by the stages; the command line's flags fill the per-run options
(``plan.BuildOptions``) whose defaults come from here. Figures are from the benchmarks in
``bench/`` on the 28 dev clusters of ``../shared/eval/multinews-dev.jsonl`` unless said otherwise.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Weights(_Section):
    """How a story's facts are ranked when they do not all fit one composition (selection.py)."""

    sources: float = Field(default=1.0, description="per extra outlet reporting the fact")
    shared: float = Field(default=0.5, description="how much of the fact's vocabulary the story's other articles use")
    lead: float = Field(default=1.0, description="early in its article")
    central: float = Field(default=0.0, description="close to the story's centroid (TF-IDF over its facts)")
    specific: float = Field(default=0.0, description="names and figures")
    full: float = Field(default=0.0, description="how much the sentence says: its length, up to 30 words")
    diversity: float = Field(default=0.0, description="MMR: a fact's score less this times its similarity to the "
                             "closest fact already picked")


class Stories(_Section):
    """Grouping a day's articles into stories (stories.py). bench/stories.py: the 28 clusters
    shuffled into one day; TF-IDF over title + 250 words at 0.10 gives ARI 0.965, purity 1.000
    (best of a grid of representations and thresholds, level with an embedding model).

    Only pairs that share one of their ``top_terms`` heaviest words are compared (bench/grouping.py):
    on the dev day the 20 heaviest find all 49 pairs at or above the threshold (10: 41, ARI 0.952;
    5: 36, ARI 0.927), so the grouping equals all-pairs average linkage (ARI 0.965). On synthetic
    days: 10,000 articles in 10.1 s, 50,000 in 57.4 s (27.3 s of it the leads' segmentation, which
    the build shares), 1.2 ms an article; all-pairs took 15 s for 2,000. ``top_shared_most``: a word
    among the heaviest of more than 300 articles stands for no one event; at 50,000 articles it
    keeps the candidate pairs' time at 8 s (30 s without), ARI 0.632 against 0.535 without."""

    lead_words: int = Field(default=250, description="an article stands for itself by its title and this many words")
    similarity: float = Field(default=0.10, description="two groups are one story at this mean TF-IDF cosine")
    continues: float = Field(default=0.10, description="a story continues an earlier one at this similarity")
    top_terms: int = Field(default=20, description="two articles are compared when they share one of "
                                                   "their this many heaviest words")
    top_shared_most: int = Field(default=300, description="a heavy word of more articles than this "
                                                          "compares none of them")


class Selection(_Section):
    """Ranking a story's facts (selection.rank_facts): which lead the list the model reads, which
    fill the points, which is the summary when the model's fails. bench/salience.py, the top
    k facts a briefing shows (2 + 3 + one per outlet) against the 28 dev clusters' gold spans:
    these weights give precision 0.711, recall 0.420 (F1 0.528; best of a 729-point grid; 0.706 /
    0.411 once headings no longer lead or fill: textutil.not_reporting); the
    merge's own order (multi-outlet first, then each article in turn) 0.682 / 0.391, lead alone
    0.682 / 0.375, the earlier weights (sources 1, shared 0.5, lead 1) 0.692 / 0.379; without
    centrality 0.716 / 0.416. bench/selection.py, recall of the facts that fit the 1,000-token
    composition: 0.742 (the earlier weights 0.737). Then ``full`` (a sentence's length: of the dev
    facts of 25 words or more, 0.50 are drawn on by a human summary, of those under 15, 0.29):
    at 1, precision 0.716, recall 0.424 (F1 0.532; 0.5: 0.524, 2: 0.542, 3: 0.534). 2 would rank
    the long sentences that ramble first: the seeds' key facts with no model fall from 13 to 12 of
    19 (1 keeps 13). A 1,944-point grid with it finds 0.547 at other weights: not worth the
    overfit."""

    weights: Weights = Weights(sources=1.0, shared=0.5, lead=2.0, central=1.0, specific=1.0, full=1.0, diversity=0.3)
    full_words: int = Field(default=30, description="a sentence this long says as much as a sentence says")
    picked_all_min: int = Field(default=4, description="--select always: a pick of every sentence of a chunk of at "
                                "least this many picks nothing (the embedded model's answer on the seeds)")


class Merge(_Section):
    """The same fact across outlets, and figures that disagree (merge.py)."""

    same_fact: float = Field(default=0.4, description="word overlap (Jaccard) of two source sentences of one fact")
    same_fact_shared_figure: float = Field(default=0.2, description="... when both give the same figure")
    near_containment: float = Field(default=90.0, description="token-set similarity (0-100) at which a sentence that "
                                    "shares at least half of `same_fact` is one fact with the other")
    same_topic: float = Field(default=0.08, description="word overlap of two facts about the same thing (a conflict)")
    same_topic_words: int = Field(default=2, description="... and the topic words they share besides the unit")
    unit_chars: int = Field(default=3, description="a figure's unit is a countable noun of at least this many "
                            "letters ('countries'), not an abbreviation ('p.m.')")
    off_story_words: int = Field(default=3, description="a claim sharing fewer content words with the other articles "
                                 "and the rest of its own is off the story (a teaser, a bio)")


class Compose(_Section):
    """The composition call and what is kept of its reply (compose.py). With a grammar the
    bounds bound what the model can write; a news sentence is rarely over 240 characters (the
    seeds' longest is 236), a headline under 90."""

    sentence_chars: int = 240
    title_chars: int = 90
    topic_chars: int = 80
    facts_per_sentence: int = 4
    summary_sentences: int = 2
    summary_top_facts: int = Field(default=3, description="a model's summary cites one of this many best-ranked "
                                   "facts, or the facts stand in (0: any). Replayed from one eval run on the dev "
                                   "clusters: 3 and 0 (any) give R-L 0.2162, precision 0.673, recall 0.381; 2 gives "
                                   "0.2175, 0.675, 0.383 but also replaces the summary a model wrote from the third "
                                   "fact of a one-cluster eval (tests/test_evaluate.py). On the mixed day 2 and 3 "
                                   "replace the same two summaries, a detail each (Maroon 5's Cardi B hit for its "
                                   "halftime show)")
    summary_words: int = Field(default=45, description="a summary a reader takes in at a glance (issue 16)")
    repeat_overlap: float = Field(default=0.7, description="a point with this word overlap and the same figures as "
                                  "another is a repeat")
    said_before: float = Field(default=0.5, description="a point with this share of what its content words tell "
                               "(each weighed by its rarity in the story: selection.says_again) in the summary and "
                               "the points before it, and no new figure, says a fact twice (the seeds: three points "
                               "on who led the meeting). bench/salience.py, the top facts without those that say "
                               "a fact twice: gold-span precision 0.706, recall 0.420, the human summaries' "
                               "sentences covered 0.576 (0.6: 0.711 / 0.426 / 0.571; 0.7: 0.716 / 0.427 / 0.567). "
                               "Weighed by count, not rarity: 0.672 / 0.398 / 0.576 (a new fact in the story's "
                               "common words, 'NATO will also host the Ukraine Defense Contact Group', was a "
                               "repeat); against each earlier statement alone: 0.687 / 0.410 / 0.571, and a "
                               "paraphrase spread over two statements was not")
    candidate_tokens: int = Field(default=1000, description="a story's candidate points: its best facts that fit "
                                    "this many tokens listed (when the model wrote points from all of them, "
                                    "bench/compare.py on the seeds: every sentence (2,534 tokens) 60 s, 1,200 tokens "
                                    "42-47 s, 1,000 and 4 points 38 s against a one-prompt summary's 91 s)")
    listed_tokens: int = Field(default=400, description="the composition call lists the best-ranked facts that fit "
                               "this many tokens: the model writes the headline and the summary from the top ones "
                               "(one eval run, dev clusters 0-27, every fact listed: the best-ranked fact a model "
                               "summary sentence cited was F1-F5 in 53 of 56, F7 or later in 3; a cluster's top 8 "
                               "facts are 150-444 tokens, all of its facts up to 1,000)")
    min_points: int = Field(default=8, description="a one-story briefing's points, at least (from the facts)")
    max_points: int = 12
    points_base: int = Field(default=3, description="a story's points: this many, and one per outlet (issue 16)")
    points_most: int = Field(default=10, description="... and never more than this")
    story_min_points: int = Field(default=3, description="with several stories, each is told in fewer points")
    story_max_points: int = 6
    item_points: int = Field(default=1, description="a one-article story: its headline and its first sentence that "
                             "states something (issue 16: a reader scans a day's items)")
    item_told_by_headline: float = Field(default=0.5, description="a one-article item's statement with this share of "
                                         "its words in a headline made from it is not shown under it (on the mixed "
                                         "day: 0.65 for the one told twice; 0.21 to 0.38 for the items whose "
                                         "headline is their own)")
    item_headline_facts: int = Field(default=2, description="... its headline made from (or asked over) its first "
                                     "this many")
    item_words: int = Field(default=8, description="... of at least this many words")
    point_words: int = Field(default=30, description="a point a reader takes in (issue 16); a longer fact is cut "
                             "to its main clause where a clause only adds to it")
    point_least_words: int = Field(default=12, description="... leaving at least this many words")
    pair_words: int = Field(default=50, description="a fact and the next sentence that refers back to it ('He "
                            "insisted ...') are one point when together at most this long")
    fragment_words: int = Field(default=6, description="textutil.not_reporting: a shorter sentence is a fragment")
    relevant_words: int = Field(default=2, description="a cited fact bears on a model sentence when they share this "
                                "many content words (or all of a shorter sentence's)")
    open_questions: int = 3
    headline_words: tuple[int, int] = Field(default=(3, 14), description="a title line reads as a headline at this "
                                            "many words (the seeds' five run 6 to 12; the dev clusters' real "
                                            "titles 4 to 14); longer is a body's first line")
    long_headline_words: int = Field(default=18, description="a headline made from a statement by leaving words out "
                                     "may run to this many words when none of the first three statements makes "
                                     "one of headline_words (on the mixed day of tests/data/day: 2 of 14 stories, "
                                     "of 16 and 17 words, else cut with an ellipsis)")
    headline_compressions: int = Field(default=256, description="a statement of many phrases: at most about this "
                                       "many ways of leaving some out are tried for its headline (a 40-word "
                                       "sentence of 12 phrases: 0.05 s)")
    headline_facts: int = Field(default=3, description="a headline asked for alone is written from the story's first "
                                "this many statements")
    headline_tokens: int = Field(default=40, description="... in at most this many tokens (a 12-word headline in "
                                 "JSON is about 25)")
    capitals_share: float = Field(default=0.6, description="a sentence with more of its letters in capitals is a "
                                  "transcript or a banner, not reporting")


class Check(_Section):
    """The support check (support.py). tests/support_cases.py: 97 of 97 unsupported statements
    refused, 38 of 40 faithful paraphrases passed; bench/support.py for the price on human text."""

    min_root: int = Field(default=5, description="a shorter root grounds too much ('stat' in 'state' and 'station')")
    min_prefix: int = Field(default=5, description="'russia' grounds 'russian'; 'plan' does not ground 'planet'")
    title_facts: int = Field(default=2, description="a headline is grounded in at most this many facts")


class Verify(_Section):
    """Locating a quoted sentence in its source (verify.py: ``ask``'s quotes)."""

    min_quote_words: int = 3
    snap_ratio: float = Field(default=85.0, description="whole-sentence similarity needed to snap a near-miss")
    snap_partial: float = Field(default=85.0, description="similarity of a fragment to part of a sentence")
    min_coverage: float = Field(default=0.6, description="a fragment must cover this share of the sentence it snaps to")


class Chunking(_Section):
    chunk_tokens: int = Field(default=1200, description="whole articles: the model writes numbers, not quotes")
    max_sentence_chars: int = Field(default=1500, description="a longer run-on line is cut at spaces")
    footer_after: float = Field(default=0.4, description="two furniture lines in a row past this share of "
                                "the page are its footer: nothing after them is article text")
    heading_words: int = Field(default=6, description="a line of at most this many words without a final stop is a "
                               "heading or a label, not a sentence wrapped onto the next line")
    wrap_chars: int = Field(default=100, description="a line longer than this without a final stop is a paragraph "
                            "that lacks it, not a sentence hard-wrapped onto the next line (unless that line "
                            "goes on in lower case). Of the 75 such lines followed by a capitalised line in the 64 "
                            "dev articles, the mixed day's 30 and the seeds, the 27 longer than 100 characters "
                            "were all paragraphs of their own ('… released on Wednesday' and the next paragraph "
                            "had been one point); the one true wrap was 86 characters")
    title_label_words: int = Field(default=3, description="ingest.title_of: a first line this short with no stop is "
                                   "a label ('News Feed', 'BRUSSELS'), not the title")
    title_max_chars: int = Field(default=150, description="... a longer first line is a paragraph, shortened")
    title_sentence_words: int = Field(default=20, description="... and so is a first line ending in a stop over this")

    @property
    def max_quote_chars(self) -> int:
        """A quote may span two sentences at most; a longer one is refused before fuzzy matching."""
        return 2 * self.max_sentence_chars


class Ask(_Section):
    top_k: int = Field(default=6, description="passages retrieved for a question")
    history_tokens: int = Field(default=800, description="history beyond this is trimmed, oldest first")
    max_answer_text: int = Field(default=1200, description="an answer text over this (4x the schema's maxLength) is "
                                 "no sentence: dropped unchecked (a 3 MB one took over 120 s to check)")
    max_passage_words: int = 70
    bm25_k1: float = Field(default=1.4, description="BM25 term saturation (the usual 1.2-2.0)")
    bm25_b: float = Field(default=0.75, description="BM25 length normalisation (the usual value)")
    asked_share: float = Field(default=0.6, description="a question is about a disagreement's side when it shares "
                               "this share of its words (at least ``asked_words``)")
    asked_words: int = 3
    stand_in: int = Field(default=2, description="quoted sentences that stand in for a refused answer text")
    elsewhere_share: float = Field(default=0.1, description="an answer whose sentences (and what they cite) have "
                                   "less than this share of the question's content words and none of its names "
                                   "(it gives at least elsewhere_names) is about something else: refused. On dev "
                                   "clusters 0-13 (bench/ask_refusals.py, each question asked alone), of 32 "
                                   "answers to questions one gold sentence answers the lowest share with no name "
                                   "of two or more was 0.12; the one answer to another cluster's question "
                                   "(Slender Man, answered with a Huntington Beach shooting) had 0.09, no name of 3")
    elsewhere_names: int = 2
    bears_share: float = Field(default=0.5, description="a sentence bears on a question (a quoted sentence stands "
                               "in for a failed answer text) when it has every name the question gives and this "
                               "share of its other content words: 'What did Medvedev say?' (seeds) is then answered "
                               "by his quoted warning")
    corroborate: int = Field(default=3, description="an answer also cites at most this many other outlets' "
                             "sentences that state its fact (as a briefing's point cites every outlet)")
    retrieved_share: float = Field(default=0.67, description="when the model answers from the wrong passage, a "
                                   "retrieved sentence with every name of the question and this share of its "
                                   "words (and the figure a 'how many' asks for) is the answer: 3 of the 4 words "
                                   "of 'How many military planners are working on the plans?' (seeds); 'Was the "
                                   "meeting cancelled?' is not answered by 'agreed to meet again' (1 of 2)")
    rewrite_growth: tuple[int, int] = Field(default=(4, 200), description="a rewritten follow-up longer than "
                                            "4x the question + 200 characters is no rewrite: the question stands")


class Fetch(_Section):
    connect_timeout: float = 5.0
    read_timeout: float = Field(default=15.0, description="--fetch-timeout; a whole exchange may take twice this")
    per_host: int = Field(default=2, description="requests in flight to one host")
    in_flight: int = Field(default=8, description="requests in flight in all")
    max_redirects: int = 5
    max_bytes: int = Field(default=5_000_000, description="a feed or a page larger than this is refused")
    min_article_chars: int = Field(default=400, description="less is a teaser or a paywall: of the 64 dev articles, 63 "
                                   "have 584 characters or more; the other is an 86-character teaser")
    max_url_chars: int = Field(default=8192, description="longer links are not fetched (httpx refuses 65,536)")
    max_opml_depth: int = Field(default=64, description="folders within folders; real exports have one or two")


class Batch(_Section):
    """Batch mode (batch.py): requests sent as one batch per stage."""

    attempts: int = Field(default=2, description="a request whose batch line fails goes into this many batches, "
                                                 "then fails (the briefing is partial)")
    poll_seconds: float = Field(default=30.0, description="``batch status --wait`` asks the server this often")


class Limits(_Section):
    """What one run may take on, checked before the work it bounds."""

    max_chunks: int = Field(default=400, description="model calls: the seeds make 5, a morning of 60 articles about 70")
    gc_young: int = Field(default=50_000, description="allocations between young-generation collections "
                          "(Python's default 700): bench/scale.py --own-only, 20,000 articles: 18.35 -> 14.20 ms "
                          "an article of our own work")
    timeline_runs: int = Field(default=60, description="a continuing story's timeline in a build's output "
                                                      "reaches back this many stored runs")
    max_story_articles: int = Field(default=100, description="a generated 150-article story: 12.8 s of merging, 146 MB")
    max_input_bytes: int = 50_000_000
    max_reply_bytes: int = Field(default=4_000_000, description="a larger reply is cut off and re-asked, never parsed")
    cache_file_factor: int = Field(default=3, description="an exchange file may be this many replies long (its request "
                                   "and a reply below the cap); a larger one is a miss")
    window_days: int = Field(default=3660, description="--since: ten years; longer is a typo")
    store_busy_seconds: float = Field(default=30.0, description="wait for another process's write to the store")

    @property
    def max_file_bytes(self) -> int:
        """The largest exchange file the cache reads."""
        return self.cache_file_factor * self.max_reply_bytes


class Estimate(_Section):
    """--estimate, measured on the embedded model (Qwen2.5-Coder-1.5B Q4_K_M, 2 cores): about 60
    prompt tokens a second and 16 generated (a generated token counted as four)."""

    embedded_rate: float = 60.0
    generated_weight: float = Field(default=4.0, description="a generated token costs this many prompt tokens of "
                                    "time (llama.cpp, measured: 65-80 read, 16 written a second)")
    measured_seconds: float = Field(default=30.0, description="a model's earlier runs give its rate once they "
                                    "add up to this much model time")
    compose_tokens_out: int = Field(default=135, description="what the model spends on a composition's headline and "
                                    "summary (one eval run, dev clusters 0-27, embedded model: 135 a call, 105-162)")
    pick_tokens_out: int = Field(default=3, description="generated tokens per sentence of a picking call, plus 16")
    headline_tokens_in: int = Field(default=90, description="an item's first statements, listed for its headline")
    headline_tokens_out: int = Field(default=25, description="a 12-word headline in JSON")


class Evaluate(_Section):
    """``briefing eval``'s one-prompt baseline (evaluate.py), as bench/compare.py has run it."""

    baseline_tokens_out: int = Field(default=900, description="the one-prompt summary's longest reply")
    baseline_tokens_in: int = Field(default=6800, description="articles the one prompt reads: the embedded model's "
                                    "8,192-token context less the reply and the instructions")


class Grammar(_Section):
    """Bounds a GBNF grammar gives what the schema leaves unbounded (none of our schemas does)."""

    string_default_max: int = 500
    array_default_max: int = 20


class Runtime(_Section):
    """The embedded model (local.py) and ``briefing doctor``'s speed test."""

    context: int = Field(default=8192, description="the embedded model's context window, tokens")
    speed_repeat: int = Field(default=10, description="doctor: the speed prompt's sentence, repeated")
    speed_tokens: int = Field(default=128, description="doctor: tokens generated for the speed test")


class Settings(_Section):
    stories: Stories = Stories()
    selection: Selection = Selection()
    merge: Merge = Merge()
    compose: Compose = Compose()
    check: Check = Check()
    verify: Verify = Verify()
    chunking: Chunking = Chunking()
    ask: Ask = Ask()
    fetch: Fetch = Fetch()
    limits: Limits = Limits()
    batch: Batch = Batch()
    estimate: Estimate = Estimate()
    evaluate: Evaluate = Evaluate()
    grammar: Grammar = Grammar()
    runtime: Runtime = Runtime()


SETTINGS = Settings()
