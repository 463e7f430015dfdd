# ruff: noqa: E501 - each paragraph is one line: a line break inside a paragraph is shown as a break (families.text)
"""Starter pages for the family website, in plain English, for the nurse specialists to review and edit.

Based only on ../shared/reference/domain.md (§2.1 cooling criteria, §2.3 cooling and rewarming, §2.4 MRI,
§4.2 and §10 follow-up). They explain what happens; they give no advice about an individual baby, and each
sends families to their baby's team for that. `load_starter_pages` is used by the data migration (with its
historical models) and by `manage.py load_family_pages`; it adds only pages whose address is not taken, so
nurse specialists' edits are never overwritten.
"""

from __future__ import annotations

from typing import Any

ASK_THE_TEAM = ("Every baby is different. The doctors and nurses caring for your baby are the best people to "
                "answer questions about your own baby: please ask them at any time.")

STARTER_PAGES: list[dict[str, Any]] = [
    {
        "slug": "what-is-hie",
        "title": "What is HIE?",
        "summary": "Hypoxic-ischaemic encephalopathy: what the words mean and how it is found.",
        "body": f"""HIE stands for hypoxic-ischaemic encephalopathy. It means that a baby's brain may have been affected because it did not get enough oxygen or blood flow, usually around the time of birth.

HIE affects about 1 to 2 babies in every 1,000 born.

## How HIE is graded
Doctors examine your baby carefully, looking at how alert they are, their muscle tone, their reflexes, how they feed and whether they have seizures. HIE is described as mild, moderate or severe.

Some babies also have a brain-wave check called an aEEG (amplitude-integrated EEG). Small sensors on the head record the brain's activity for at least 30 minutes.

## What happens next
Babies with moderate or severe HIE who meet the treatment criteria are usually offered cooling treatment (therapeutic hypothermia). The next page explains it.

{ASK_THE_TEAM}""",
    },
    {
        "slug": "cooling-treatment",
        "title": "Cooling treatment",
        "summary": "Why babies with HIE are cooled, how it is done and what to expect.",
        "body": f"""Cooling treatment (therapeutic hypothermia) lowers a baby's body temperature for a short time. It is the standard treatment for babies born at 36 weeks or later with moderate or severe HIE, and it can reduce the chance of long-term disability.

## Why timing matters
Cooling works best when it starts early: it should start within 6 hours of birth. This is why your baby may have been cooled before or during a transfer, and why the team moved quickly.

## What happens during cooling
- Your baby's temperature is brought down to between 33 and 34 °C and kept there for 72 hours (3 days).
- A soft temperature probe measures your baby's temperature all the time.
- Your baby usually lies on or in a special cooling mattress or wrap.
- Your baby may be given medicine, for example to treat seizures.

## Rewarming
After 72 hours your baby is warmed slowly back to a normal temperature, over several hours.

## Transfer to a cooling centre
Cooling is given in a neonatal intensive care unit. If your baby was born in another hospital, the transport team brings your baby to the cooling centre, usually keeping them cool on the way.

## Being with your baby
Ask the nurses how you can be with your baby and be involved in their care during cooling.

{ASK_THE_TEAM}""",
    },
    {
        "slug": "mri-scan",
        "title": "The MRI scan",
        "summary": "Why most babies have a brain MRI scan after cooling, and what it shows.",
        "body": f"""Most babies who have had cooling treatment have a brain MRI scan after they have been rewarmed, before they go home. The scan is usually done in the first or second week of life.

## What an MRI scan is
An MRI scanner uses a strong magnet and radio waves to take detailed pictures of the brain. It does not use X-rays. The scan is painless, but it is noisy, so your baby will wear ear protection. Babies are often scanned after a feed, wrapped up snugly, while they sleep.

## What the scan can tell you
The pictures help the doctors understand whether any areas of the brain have been affected. The doctors will explain the results to you, what they may mean and what they do not tell you.

{ASK_THE_TEAM}""",
    },
    {
        "slug": "follow-up",
        "title": "Going home and follow-up",
        "summary": "Check-ups after your baby goes home, up to the 2-year review.",
        "body": f"""After your baby goes home, the team will keep checking on their development.

## Follow-up appointments
- Your baby will be offered check-ups in clinic during the first two years.
- At around 2 years old, your child is offered a detailed development review. It looks at movement, understanding, talking and play.
- If you move to a different area, please tell the team so your child's follow-up can continue where you live.

## Between appointments
You know your baby best. If you are worried about your baby's health or development, contact your GP, health visitor or the team that cares for your baby. In an emergency, call 999.

{ASK_THE_TEAM}""",
    },
    {
        "slug": "support-for-families",
        "title": "Support for your family",
        "summary": "Nurse specialists, the family booklet, family events and how to give feedback.",
        "body": """Having a baby who needs intensive care is hard. You do not have to manage on your own.

## Nurse specialists
The network's neonatal nurse specialists support families during and after cooling treatment. They can talk things through with you, explain what is happening and help you find support. Ask the staff on the unit to put you in touch.

## The family booklet
The family booklet contains the information on this website. You can download it as a PDF from the home page of this website, or ask for a printed copy.

## Family events
We hold coffee mornings and other events where families can meet each other and the team. Upcoming events are listed on this website. We will only invite you if you have agreed to be contacted, and you can change your mind at any time.

## Your feedback
You can tell us what helped and what we could do better using the feedback form on this website. You do not need to give your name.""",
    },
]


def load_starter_pages(page_model: Any, version_model: Any, network_id: int | None = None) -> int:
    """Create and publish the starter pages that do not exist yet (on the network's website: issue 18; the
    historical model of migration 0002 has no network); return how many were added."""
    added = 0
    scope = {} if network_id is None else {"network_id": network_id}
    for position, content in enumerate(STARTER_PAGES, start=1):
        if page_model.objects.filter(slug=content["slug"], **scope).exists():
            continue
        page = page_model.objects.create(slug=content["slug"], position=position * 10, **scope)
        version = version_model.objects.create(page=page, number=1, title=content["title"],
                                               summary=content["summary"], body=content["body"],
                                               note="Starter text (domain.md): review before relying on it")
        page.published_version = version
        page.save(update_fields=["published_version"])
        added += 1
    return added
