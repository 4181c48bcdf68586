"""A small questionnaire stated inline, shared by the engine tests."""
import textwrap

import pytest

from survey_app.questionnaire.builder import build_from_text

SMALL_FORM = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: small
    title: {id: "Survei kecil", en: "Small survey"}
    languages: [id, en]
    consent: {question: consent, accept: "yes"}
    choice_lists:
      yes_no:
        - {name: "yes", label: {id: "Ya", en: "Yes"}}
        - {name: "no", label: {id: "Tidak", en: "No"}}
      channels:
        - {name: market, label: {id: "Marketplace", en: "Marketplace"}}
        - {name: wa, label: {id: "WhatsApp", en: "WhatsApp"}}
        - {name: none, label: {id: "Tidak ada", en: "None"}}
      useful:
        - {name: "1", label: {id: "Tidak berguna", en: "Not useful"}}
        - {name: "2", label: {id: "Berguna", en: "Useful"}}
    pages:
      - name: start
        title: {id: "Persetujuan", en: "Consent"}
        questions:
          - name: consent
            type: select_one
            choices: yes_no
            required: true
            label: {id: "Bersedia?", en: "Do you agree?"}
      - name: work
        title: {id: "Kerja", en: "Work"}
        questions:
          - name: birth_year
            type: integer
            required: true
            label: {id: "Tahun lahir", en: "Birth year"}
            constraint: ". >= 1940 and . <= 2010"
            constraint_message: {id: "Tahun 1940-2010", en: "Year 1940-2010"}
          - name: has_business
            type: select_one
            choices: yes_no
            required: true
            label: {id: "Punya usaha?", en: "Own a business?"}
          - name: business_description
            type: long_text
            required: true
            relevant: "${has_business} = 'yes'"
            label: {id: "Usaha apa?", en: "What business?"}
            constraint: "string-length(.) >= 5"
            constraint_message: {id: "Jelaskan lebih", en: "Describe more"}
          - name: revenue
            type: integer
            relevant: "${has_business} = 'yes'"
            label: {id: "Omzet", en: "Revenue"}
          - name: profit
            type: integer
            relevant: "${has_business} = 'yes'"
            label: {id: "Laba", en: "Profit"}
            constraint: ". <= ${revenue}"
            constraint_message: {id: "Laba tidak boleh melebihi omzet", en: "Profit cannot exceed revenue"}
          - name: channels
            type: select_multiple
            choices: channels
            relevant: "${has_business} = 'yes'"
            label: {id: "Saluran", en: "Channels"}
            constraint: "not(selected(., 'none') and count-selected(.) > 1)"
            constraint_message: {id: "'Tidak ada' tidak bisa digabung", en: "'None' excludes others"}
      - name: trainings
        title: {id: "Pelatihan", en: "Trainings"}
        questions:
          - name: finished
            type: select_multiple
            choices_from: roster_trainings
            required: true
            label: {id: "Yang diselesaikan", en: "Finished"}
      - name: usefulness
        title: {id: "Manfaat", en: "Usefulness"}
        questions:
          - name: useful
            type: select_one
            choices: useful
            each_of: finished
            required: true
            label: {id: "Seberapa berguna {item}?", en: "How useful was {item}?"}
          - name: best
            type: select_one
            choices_from: roster_trainings
            choice_filter: "selected(${finished}, name)"
            label: {id: "Paling berguna", en: "Most useful"}
""")


@pytest.fixture
def small_form():
    """The inline questionnaire, compiled."""
    return build_from_text(SMALL_FORM)
