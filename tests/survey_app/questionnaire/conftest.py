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


# calculate, default and repeat (docs/QUESTIONNAIRE_FORMAT.md): a count-driven repeat of
# businesses, an "add another" repeat of jobs, calculates inside and outside the repeats.
ENGINE_FORM = textwrap.dedent("""\
    format: jejak-questionnaire/1
    name: engine
    title: {id: "Survei mesin", en: "Engine survey"}
    languages: [id, en]
    choice_lists:
      yes_no:
        - {name: "yes", label: {id: "Ya", en: "Yes"}}
        - {name: "no", label: {id: "Tidak", en: "No"}}
    pages:
      - name: first
        title: {id: "Awal", en: "First"}
        questions:
          - name: runs_business
            type: select_one
            choices: yes_no
            required: true
            label: {id: "Punya usaha?", en: "Run a business?"}
          - name: business_count
            type: integer
            default: "1"
            relevant: "${runs_business} = 'yes'"
            label: {id: "Berapa usaha?", en: "How many businesses?"}
          - name: revenue
            type: integer
            relevant: "${runs_business} = 'yes'"
            label: {id: "Omzet", en: "Revenue"}
          - name: workers
            type: integer
            relevant: "${runs_business} = 'yes'"
            label: {id: "Pekerja", en: "Workers"}
          - name: revenue_per_worker
            type: calculate
            calculation: "${revenue} div ${workers}"
          - name: big_earner
            type: select_one
            choices: yes_no
            relevant: "${revenue_per_worker} > 1000"
            label: {id: "Omzet besar per pekerja?", en: "High revenue per worker?"}
      - name: businesses
        title: {id: "Usaha {n}", en: "Business {n}"}
        relevant: "${runs_business} = 'yes'"
        repeat:
          count: "${business_count}"
          max: 3
        questions:
          - name: business_description
            type: long_text
            required: true
            label: {id: "Usaha apa?", en: "What business?"}
          - name: business_workers
            type: integer
            default: "${workers}"
            label: {id: "Pekerja usaha ini", en: "Workers here"}
          - name: business_big
            type: calculate
            calculation: "if(${business_workers} > 4, 'yes', 'no')"
          - name: business_export
            type: select_one
            choices: yes_no
            relevant: "${business_big} = 'yes'"
            label: {id: "Ekspor?", en: "Exports?"}
      - name: jobs
        title: {id: "Pekerjaan {n}", en: "Job {n}"}
        repeat:
          max: 2
          add_label: {id: "Tambah pekerjaan", en: "Add another job"}
        questions:
          - name: job_title
            type: text
            label: {id: "Jabatan", en: "Job title"}
      - name: last
        title: {id: "Akhir", en: "Last"}
        questions:
          - name: business_total
            type: calculate
            calculation: "count(${businesses})"
          - name: satisfied
            type: select_one
            choices: yes_no
            required: true
            relevant: "${business_total} > 0"
            label: {id: "Puas?", en: "Satisfied?"}
""")


@pytest.fixture
def engine_form():
    """The inline calculate/default/repeat questionnaire, compiled."""
    return build_from_text(ENGINE_FORM)
