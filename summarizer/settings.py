"""Thresholds of the daily briefing, each with the measurement that chose it.

Figures are from ``bench/stories.py`` on the 28 dev clusters of ``../shared/eval/multinews-dev.jsonl``
(every article shuffled into one day, each cluster a story), unless said otherwise.
"""

# How much of each article stands for it when grouping stories: its title and this many words.
STORY_LEAD_WORDS = 250
# Two groups of articles are one story when their mean TF-IDF cosine is at least this.
STORY_SIMILARITY = 0.10
# A story of today is yesterday's when they share an article, or when its articles are at least
# this similar (mean cosine, the same measure as above) to that story's.
STORY_CONTINUES = STORY_SIMILARITY
