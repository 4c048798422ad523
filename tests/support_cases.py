# ruff: noqa: E501  (a table of real sentences, kept one to a line)
"""The adversarial table of the support check: statements, the sentences they cite, and whether
they may pass. Every support sentence is a real sentence of the seeds or of the dev clusters
(``../shared/eval/multinews-dev.jsonl``, cluster number given); the statements are faithful
paraphrases (must pass) and the ways a model says more or other than its sentences (must fail):
a new actor, place or organisation (the first word included), an outcome or verb the sentences
do not state, an added clause, a negation, a changed number, date or tense, an opposite, two
names swapped. The first group is the reliability probe's own cases (issue 14)."""

from __future__ import annotations

PASS, FAIL = True, False

MEET = "Defence ministers met in Brussels on Thursday to plan the peacekeeping mission."
LEAD = ("The meeting, led by France’s Defense Minister Sébastien Lecornu and British Defense Secretary John Healey, "
        "involved defense ministers from the coalition of the willing.")
GROUP = "The group includes several European countries, Canada and Australia, but notably excludes the United States."
NATO = "The talks took place at NATO headquarters in Brussels."
DOZEN = ("Around a dozen countries may be willing to contribute troops, Pavlo Palisa, deputy head of Ukraine’s office "
         "and chief defense adviser to President Volodymyr Zelensky, told reporters.")
WILL = ("Led by French Defense Minister Sebastien Lecornu and U.K. Defense Minister John Healey, the meeting will take "
        "place at NATO headquarters in Brussels.")
EXCLUDED = ("The meeting excluded the United States, which has not committed to sending troops to Ukraine, Caliber.Az "
            "reports per foreign media.")
PLANNERS = "He mentioned that 200 military planners from these countries are working to develop deeper involvement in Ukraine."
PUTIN = "Healey stressed the importance of putting pressure on Russian President Vladimir Putin to end the war."
SIX = ("A proposed Western troop presence in post-war Ukraine is drawing tepid support, with only six nations so far "
       "committing to the idea, according to a report by AFP.")
PLEDGED = ("Despite ongoing talks, only the UK, France, and the three Baltic states—Estonia, Latvia, and Lithuania—have "
           "pledged to contribute troops.")
CANCELLED = ("She cancelled a trip to the UK last week insisting she needed to spend more time with her family and "
             "her grandmother, Dolly, who is suffering from cancer.")
HOAX = "The estimated cost of the responses to these false alarms is $500,000."
RESCUERS = ("The Coast Guard also says hoax calls distract rescuers from real emergencies, putting both the public and "
            "the responding crews at risk.")
RICE = ('Now famous as "the talking points," the 94 words were used by United Nations Ambassador Susan Rice on Sunday '
        "talk shows days after the attack.")
CONCH = ("Also, killing, mutilating or removing a living queen conch from a shell is prohibited, the Florida Fish and "
         "Wildlife Conservation Commission notes.")
SECESSION = "Neighboring counties, which would be invited to join Jefferson, are also weighing secession."
RHINOS = ("NAIROBI, Kenya (AP) - Eight critically endangered black rhinos are dead in Kenya after wildlife workers moved "
          "them from the capital to a new national park, the government said Friday, calling the toll \"unprecedented\" "
          "in more than a decade of such transfers.")
FITBIT = ("A 90-year-old man has been arrested for allegedly killing his stepdaughter after investigators gained "
          "information from the Fitbit")
BOND = "A judge said he is being held without bond on the murder charge."
TREE = ("No sooner had workers hoisted a 72-foot tall Norway spruce in Rome's central Piazza Venezia this month than "
        "the mocking began.")
MANGY = ("The tree was quickly nicknamed Spelacchio, or Mangy, because so many of its dead needles were dropping off, "
         "leaving the tree looking a bit bare.")
GOVERNORS = "Republicans currently hold 29 governorships, Democrats have 20, and Rhode Island's Gov. Lincoln Chafee is an Independent."
PLOUFFE = ("White House senior adviser David Plouffe declined on Sunday to say whether President Barack Obama would support "
           "or fight a gay marriage plank in the Democratic Party's platform.")
MAROON = ("The band is currently on their Red Pill BluesTour, but conveniently have a break between a New Year's Eve show "
          "in Las Vegas and the Australian leg of their tour, which kicks off on Feb. 19.")
NOKIA = "Microsoft is buying Nokia's cell phone business and licensing its patent portfolio, according to both companies."
MAILER = ("The Obama campaign is using a mailer modeled after online cat memes as part of their final get out the vote "
          "push in the crucial battleground state of Ohio.")
PLANE = "The airline unveiled a new plane on Monday, its first in a decade."
HANDGUN = "Though police would not give many details about the investigation yet, they did say a handgun was found at the scene."

# (support, statement, may pass, kind)
CASES: list[tuple[str, str, bool, str]] = [
    # --- the probe's cases (issue 14): one thing changed, and the headlines it made ---
    (MEET, "Defence ministers cancelled the peacekeeping mission in Brussels on Thursday.", FAIL, "outcome"),
    (MEET, "Defence ministers abandoned the peacekeeping mission in Brussels on Thursday.", FAIL, "outcome"),
    (MEET, "Defence ministers rejected the peacekeeping mission in Brussels on Thursday.", FAIL, "outcome"),
    (MEET, "Putin met defence ministers in Brussels on Thursday to plan the peacekeeping mission.", FAIL, "new name"),
    (MEET, "Macron planned the peacekeeping mission in Brussels on Thursday.", FAIL, "new name"),
    (MEET, "Defence ministers met in Brussels on Thursday to plan the peacekeeping mission and approve airstrikes.",
     FAIL, "added clause"),
    (MEET, "Meeting cancelled, officials confirm", FAIL, "title"),
    (MEET, "Brussels meeting cancelled", FAIL, "title"),
    (MEET, "Russia agrees to the peacekeeping mission", FAIL, "title"),
    (MEET, "Talks collapse as ministers walk out", FAIL, "title"),
    (MEET, "Macron cancels the Brussels meeting", FAIL, "title"),
    (MEET, "Defence ministers met in Brussels on Friday to plan the peacekeeping mission.", FAIL, "date"),
    (MEET, "Defence ministers will meet in Brussels on Thursday to plan the peacekeeping mission.", FAIL, "tense"),
    (MEET, "Defence ministers did not meet in Brussels on Thursday.", FAIL, "negation"),
    (MEET, "Defence ministers met in Brussels on Thursday to plan the peacekeeping mission.", PASS, "same"),
    (MEET, "Defense ministers met in Brussels on Thursday to plan a peacekeeping mission.", PASS, "spelling"),
    (MEET, "Ministers planned the peacekeeping mission at a Brussels meeting on Thursday.", PASS, "faithful"),
    (MEET, "Defence Ministers Meet in Brussels to Plan Peacekeeping Mission", PASS, "title"),
    # --- the seeds ---
    (LEAD, "France's Sébastien Lecornu and Britain's John Healey led the meeting.", PASS, "faithful"),
    (LEAD, "The meeting was led by Lecornu and Healey.", PASS, "faithful"),
    (LEAD, "The meeting was led by Lecornu and Rutte.", FAIL, "new name"),
    (LEAD, "Germany's defence minister led the meeting.", FAIL, "new name"),
    (LEAD, "Lecornu and Healey criticised the coalition of the willing.", FAIL, "outcome"),
    (LEAD, "The meeting, led by Lecornu and Healey, ended without agreement.", FAIL, "added clause"),
    (GROUP, "The group includes European countries, Canada and Australia but not the United States.", PASS, "faithful"),
    (GROUP, "The United States is not part of the group.", PASS, "faithful"),
    (GROUP, "The group includes the United States, Canada and Australia.", FAIL, "opposite"),
    (GROUP, "The group includes Japan, Canada and Australia.", FAIL, "new name"),
    (GROUP, "The group excludes Canada.", FAIL, "opposite"),
    (NATO, "The talks were held at NATO headquarters in Brussels.", PASS, "faithful"),
    (NATO, "NATO hosted the talks at its Brussels headquarters.", FAIL, "outcome"),
    (NATO, "The talks took place at EU headquarters in Brussels.", FAIL, "new name"),
    (NATO, "The talks took place at NATO headquarters in Brussels and lasted two days.", FAIL, "added clause"),
    (NATO, "The talks will take place at NATO headquarters in Brussels.", FAIL, "tense"),
    (DOZEN, "About 12 countries may contribute troops, Palisa told reporters.", PASS, "faithful"),
    (DOZEN, "Around a dozen countries may be willing to contribute troops, a Zelensky adviser said.", PASS, "faithful"),
    (DOZEN, "About 20 countries may contribute troops, Palisa said.", FAIL, "number"),
    (DOZEN, "A dozen countries have committed troops, Palisa said.", FAIL, "outcome"),
    (DOZEN, "Zelensky told reporters that a dozen countries may contribute troops.", FAIL, "swap"),
    (DOZEN, "Around a dozen countries refused to contribute troops, Palisa said.", FAIL, "outcome"),
    (DOZEN, "Around a dozen countries will contribute troops, Palisa told reporters.", FAIL, "hedge dropped"),
    (DOZEN, "A dozen countries are willing to contribute troops.", FAIL, "hedge dropped"),
    (WILL, "The meeting will take place at NATO headquarters in Brussels.", PASS, "faithful"),
    (WILL, "Lecornu and Healey will lead the meeting in Brussels.", PASS, "faithful"),
    (WILL, "The meeting took place at NATO headquarters in Brussels.", FAIL, "tense"),
    (WILL, "Lecornu and Healey postponed the meeting in Brussels.", FAIL, "outcome"),
    (EXCLUDED, "The meeting excluded the United States, which has not committed troops.", PASS, "faithful"),
    (EXCLUDED, "The United States has committed to sending troops to Ukraine.", FAIL, "negation"),
    (EXCLUDED, "The United States boycotted the meeting.", FAIL, "outcome"),
    (EXCLUDED, "The meeting excluded Russia, which has not committed to sending troops.", FAIL, "new name"),
    (PLANNERS, "200 military planners are working to deepen involvement in Ukraine, Healey said.", FAIL, "new name"),
    (PLANNERS, "He said 200 military planners are working to develop deeper involvement in Ukraine.", PASS, "faithful"),
    (PLANNERS, "He said 2,000 military planners are working in Ukraine.", FAIL, "number"),
    (PLANNERS, "He said 200 soldiers are fighting in Ukraine.", FAIL, "outcome"),
    (PUTIN, "Healey stressed the need to pressure Putin to end the war.", PASS, "faithful"),
    (PUTIN, "Healey urged talks with Putin to end the war.", FAIL, "outcome"),
    (PUTIN, "Putin stressed the importance of ending the war.", FAIL, "swap"),
    (PUTIN, "Healey stressed the importance of putting pressure on Putin to continue the war.", FAIL, "outcome"),
    (SIX, "Only six nations have so far committed to the idea, AFP reported.", PASS, "faithful"),
    (SIX, "Only 6 countries so far support a Western troop presence in post-war Ukraine.", PASS, "faithful"),
    (SIX, "Only nine nations have so far committed to the idea.", FAIL, "number"),
    (SIX, "Strong support for a Western troop presence in Ukraine, AFP reports.", FAIL, "opposite"),
    (SIX, "Six nations rejected a Western troop presence in post-war Ukraine.", FAIL, "outcome"),
    (PLEDGED, "Only the UK, France and the three Baltic states have pledged troops.", PASS, "faithful"),
    (PLEDGED, "Estonia, Latvia and Lithuania have pledged to contribute troops.", PASS, "faithful"),
    (PLEDGED, "Britain, France and Poland have pledged to contribute troops.", FAIL, "new name"),
    (PLEDGED, "The three Baltic states have deployed troops.", FAIL, "outcome"),
    (PLEDGED, "Four Baltic states have pledged to contribute troops.", FAIL, "number"),
    # --- the dev clusters ---
    # a headline's present tense finds the sentence's progressive; a word that only drops an "e"
    # is another word
    (MAILER, "Obama Campaign Uses Cat Mailer to Push Votes in Ohio", PASS, "faithful"),
    (PLANE, "The airline unveiled a new plan on Monday.", FAIL, "new name"),
    (MAILER, "The Obama campaign hates the mailer modeled after cat memes.", FAIL, "outcome"),
    (HOAX, "The false alarms cost an estimated $500,000.", PASS, "faithful"),  # cluster 2
    (HOAX, "The false alarms cost an estimated $5 million.", FAIL, "number"),
    (HOAX, "The Coast Guard spent $500,000 on the false alarms.", FAIL, "new name"),
    (RESCUERS, "The Coast Guard says hoax calls distract rescuers from real emergencies.", PASS, "faithful"),
    (RESCUERS, "Hoax calls put the public and responding crews at risk, the Coast Guard says.", PASS, "faithful"),
    (RESCUERS, "The Coast Guard says hoax calls do not distract rescuers from real emergencies.", FAIL, "negation"),
    (RESCUERS, "The Coast Guard says hoax calls have killed rescuers.", FAIL, "outcome"),
    (RESCUERS, "The Navy says hoax calls distract rescuers from real emergencies.", FAIL, "new name"),
    (RICE, "UN Ambassador Susan Rice used the 94 words on Sunday talk shows.", PASS, "acronym"),  # cluster 5
    (RICE, "Susan Rice used the talking points on Sunday talk shows days after the attack.", PASS, "faithful"),
    (RICE, "Susan Rice wrote the talking points.", FAIL, "outcome"),
    (RICE, "Hillary Clinton used the talking points on Sunday talk shows.", FAIL, "new name"),
    (RICE, "The 49 words were used by Susan Rice on Sunday talk shows.", FAIL, "number"),
    (RICE, "Susan Rice used the talking points on Monday talk shows.", FAIL, "date"),
    (CONCH, "Killing or removing a living queen conch from its shell is prohibited.", PASS, "faithful"),  # cluster 9
    (CONCH, "Killing a living queen conch is allowed, the commission notes.", FAIL, "opposite"),
    (CONCH, "Killing a living queen conch is not prohibited.", FAIL, "negation"),
    (CONCH, "Selling a queen conch shell is prohibited in Florida.", FAIL, "added clause"),
    (SECESSION, "Neighboring counties are also weighing secession.", PASS, "faithful"),  # cluster 12
    (SECESSION, "Neighboring counties have voted to secede.", FAIL, "outcome"),
    (SECESSION, "Neighboring counties, invited to join Jefferson, have rejected secession.", FAIL, "outcome"),
    (SECESSION, "Oregon counties are weighing secession.", FAIL, "new name"),
    (RHINOS, "Eight endangered black rhinos died in Kenya after being moved to a new national park.", PASS, "faithful"),
    (RHINOS, "Eight black rhinos are dead after wildlife workers moved them to a new park, Kenya's government said.",
     PASS, "faithful"),
    (RHINOS, "Eight black rhinos were killed by poachers in Kenya.", FAIL, "outcome"),  # cluster 14
    (RHINOS, "Eighteen black rhinos are dead in Kenya after a transfer.", FAIL, "number"),
    (RHINOS, "Eight black rhinos are dead in Tanzania after wildlife workers moved them.", FAIL, "new name"),
    (RHINOS, "The government said on Monday that eight black rhinos are dead.", FAIL, "date"),
    (RHINOS, "Eight black rhinos are dead in Kenya, and the wildlife minister has resigned.", FAIL, "added clause"),
    (FITBIT, "A 90-year-old man has been arrested for allegedly killing his stepdaughter.", PASS, "faithful"),
    (FITBIT, "A 90-year-old man has been convicted of killing his stepdaughter.", FAIL, "outcome"),  # cluster 19
    (FITBIT, "A 90-year-old man killed his stepdaughter.", FAIL, "hedge dropped"),
    (FITBIT, "A 90-year-old man was arrested, suspected of killing his stepdaughter.", PASS, "faithful"),
    (FITBIT, "A 90-year-old woman has been arrested for allegedly killing her stepdaughter.", FAIL, "new name"),
    (FITBIT, "A 19-year-old man has been arrested for allegedly killing his stepdaughter.", FAIL, "number"),
    (BOND, "A judge said he is held without bond on the murder charge.", PASS, "faithful"),  # cluster 22
    (BOND, "A judge said he was released on bond.", FAIL, "outcome"),
    (BOND, "A judge said he is being held without bond on a manslaughter charge.", FAIL, "outcome"),
    (BOND, "A judge said he is not being held.", FAIL, "negation"),
    (TREE, "Workers hoisted a 72-foot Norway spruce in Rome's Piazza Venezia this month.", PASS, "faithful"),
    (TREE, "Workers hoisted a 72-foot Norway spruce in Milan this month.", FAIL, "new name"),  # cluster 27
    (TREE, "Workers hoisted a 27-foot Norway spruce in Rome this month.", FAIL, "number"),
    (TREE, "Workers cut down a 72-foot Norway spruce in Rome this month.", FAIL, "outcome"),
    (MANGY, "The tree was nicknamed Spelacchio, or Mangy, because its dead needles were dropping off.", PASS, "faithful"),
    (MANGY, "Rome's mayor nicknamed the tree Spelacchio.", FAIL, "new name"),
    (MANGY, "The tree was nicknamed Spelacchio because it had been vandalised.", FAIL, "added clause"),
    (GOVERNORS, "Republicans hold 29 governorships and Democrats 20.", PASS, "faithful"),  # cluster 0
    (GOVERNORS, "Democrats hold 29 governorships and Republicans 20.", FAIL, "swap"),
    (GOVERNORS, "Republicans hold 30 governorships.", FAIL, "number"),
    (GOVERNORS, "Rhode Island's governor Lincoln Chafee is a Democrat.", FAIL, "outcome"),
    (PLOUFFE, "Plouffe declined to comment on whether Obama would support a gay marriage plank.", PASS, "faithful"),
    (PLOUFFE, "Plouffe said Obama would support a gay marriage plank in the platform.", FAIL, "outcome"),  # cluster 21
    (PLOUFFE, "Plouffe declined on Sunday to say whether Obama would veto a gay marriage plank.", FAIL, "outcome"),
    (PLOUFFE, "Biden declined on Sunday to say whether Obama would support a gay marriage plank.", FAIL, "new name"),
    (MAROON, "The band's Australian tour kicks off on February 19.", PASS, "month"),  # cluster 25
    (MAROON, "The band's Australian tour kicks off on March 19.", FAIL, "date"),
    (MAROON, "The band has cancelled the Australian leg of its tour.", FAIL, "outcome"),
    (MAROON, "The band is on its Red Pill Blues tour and will play Sydney on Feb. 19.", FAIL, "added clause"),
    (NOKIA, "Microsoft is buying Nokia's phone business and licensing its patents, both companies said.", PASS,
     "faithful"),
    (NOKIA, "Nokia is buying Microsoft's cell phone business.", FAIL, "swap"),  # cluster 23
    (NOKIA, "Microsoft is buying Nokia for $7 billion.", FAIL, "number"),
    (NOKIA, "Microsoft has abandoned its bid for Nokia's phone business.", FAIL, "outcome"),
    (HANDGUN, "Police said a handgun was found at the scene.", PASS, "faithful"),  # cluster 4
    (HANDGUN, "Police said a knife was found at the scene.", FAIL, "outcome"),
    (HANDGUN, "Police said no handgun was found at the scene.", FAIL, "negation"),
    (HANDGUN, "Police said a handgun was found at the scene of the shooting.", FAIL, "added clause"),
    # the day's Rihanna story (cluster 24): the embedded model made one singer two people
    (CANCELLED, "She cancelled a trip to the UK last week to spend more time with her family.", PASS, "faithful"),
    (CANCELLED, "She cancelled a trip to the UK last week.", PASS, "faithful"),
    (CANCELLED, "They cancelled a trip to the UK last week.", FAIL, "person"),
    (CANCELLED, "He cancelled a trip to the UK last week to spend more time with his family.", FAIL, "person"),
    (PLANNERS, "They mentioned that 200 military planners are working to develop deeper involvement in Ukraine.", FAIL,
     "person"),
]
