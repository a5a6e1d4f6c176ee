"""v2 records into v1's shape, checked against the cases FullEnrich's own mapper handles."""

from __future__ import annotations

from typing import Any

import orjson

from openenrich.v1.shape import contact, envelope, month_year, translate_body

COMPANY = {
    "name": "Acme Corp",
    "domain": "acme.example",
    "description": "Enterprise software",
    "year_founded": 2010,
    "headcount": 500,
    "headcount_range": "201-500",
    "company_type": "Privately Held",
    "locations": {
        "headquarters": {
            "line1": "100 Main St",
            "line2": "Suite 200",
            "city": "New York",
            "region": "New York",
            "country": "United States",
            "country_code": "US",
        }
    },
    "social_profiles": {
        "professional_network": {
            "id": 12345678,
            "url": "https://www.linkedin.com/company/acme-corp",
            "handle": "acme-corp",
        }
    },
    "industry": {"main_industry": "Computer Software"},
}
RECORD: dict[str, Any] = {
    "input": {
        "first_name": "John",
        "last_name": "Doe",
        "full_name": "John Doe",
        "company_domain": "acme.example",
        "professional_network_url": "https://www.linkedin.com/in/jdoe",
    },
    "custom": {"crm_id": "99887"},
    "contact_info": {
        "most_probable_work_email": {"email": "john@acme.example", "status": "DELIVERABLE"},
        "most_probable_phone": {"number": "+1 201-555-0100", "region": "US"},
        "work_emails": [
            {"email": "john@acme.example", "status": "DELIVERABLE"},
            {"email": "j.doe@acme.example", "status": "INVALID"},
        ],
        "personal_emails": [],
        "phones": [{"number": "+1 201-555-0100", "region": "US"}],
    },
    "profile": {
        "first_name": "John",
        "last_name": "Doe",
        "headline": "VP of Sales at Acme",
        "location": {"city": "New York", "region": "New York", "country": "United States"},
        "social_profiles": {
            "professional_network": {
                "id": 87654321,
                "url": "https://www.linkedin.com/in/jdoe",
                "handle": "jdoe",
            }
        },
        "employment": {
            "current": {"title": "VP of Sales"},
            "all": [
                {
                    "title": "VP of Sales",
                    "description": "Leading sales",
                    "start_at": "2022-06-01T00:00:00Z",
                    "company": COMPANY,
                }
            ],
        },
    },
}


def test_contact_fields_are_flattened() -> None:
    got = contact(RECORD)
    assert got["firstname"] == "John" and got["lastname"] == "Doe"
    assert got["domain"] == "acme.example"
    assert got["most_probable_email"] == "john@acme.example"
    assert got["most_probable_email_status"] == "DELIVERABLE"
    assert got["most_probable_personal_email"] == ""
    assert got["most_probable_personal_email_status"] == ""
    assert got["most_probable_phone"] == "+1 201-555-0100"
    assert got["emails"] == RECORD["contact_info"]["work_emails"]
    assert got["personal_emails"] == []
    assert got["phones"] == [{"number": "+1 201-555-0100", "region": "US"}]
    assert got["social_medias"] == [{"url": "https://www.linkedin.com/in/jdoe", "type": "LINKEDIN"}]


def test_profile_takes_linkedin_shape_with_one_position() -> None:
    profile = contact(RECORD)["profile"]
    assert profile["linkedin_id"] == "87654321"
    assert profile["linkedin_handle"] == "jdoe"
    assert profile["location"] == "New York, New York, United States"
    assert profile["headline"] == "VP of Sales at Acme"
    assert profile["premium_account"] is False and profile["sales_navigator_id"] == ""
    position = profile["position"]
    # A sparse `current` (title only) is completed from `all[0]`.
    assert position["title"] == "VP of Sales"
    assert position["description"] == "Leading sales"
    assert position["start_at"] == {"month": 6, "year": 2022}
    assert position["end_at"] is None
    company = position["company"]
    assert company["linkedin_id"] == "12345678"
    assert company["industry"] == "Computer Software"
    assert company["type"] == "Privately Held"
    assert company["headquarters"]["address_line_1"] == "100 Main St"
    assert company["headquarters"]["country_code"] == "US"


def test_empty_record_has_every_field_empty() -> None:
    got = contact({"input": {"first_name": "Jane"}, "custom": {}, "contact_info": {}})
    assert got["firstname"] == "Jane"
    assert got["domain"] == "" and got["most_probable_email"] == ""
    assert got["emails"] == [] and got["phones"] == [] and got["social_medias"] == []
    assert "profile" not in got


def test_domain_falls_back_to_the_current_company() -> None:
    record = {
        "input": {},
        "profile": {"employment": {"all": [{"company": {"domain": "co.example"}}]}},
    }
    assert contact(record)["domain"] == "co.example"


def test_month_year_tolerates_malformed_dates() -> None:
    assert month_year("2024-1-0T00:00:00.000Z") == {"month": 1, "year": 2024}
    assert month_year("2023-7-15") == {"month": 7, "year": 2023}
    assert month_year("not-a-date") is None
    assert month_year("2023-13-01") is None
    assert month_year(None) is None


def test_envelopes_rename_data_and_keep_status_and_cost() -> None:
    v2 = {"id": "i", "name": "n", "status": "FINISHED", "data": [RECORD], "cost": {"credits": 11}}
    got = orjson.loads(translate_body("enrich", orjson.dumps(v2)))
    assert set(got) == {"id", "name", "status", "datas", "cost"}
    assert got["datas"][0]["custom"] == {"crm_id": "99887"}
    assert got["cost"] == {"credits": 11}
    running = envelope(
        "enrich", {"id": "i", "name": "n", "status": "IN_PROGRESS", "cost": {"credits": 0}}
    )
    assert "datas" not in running
    reverse = envelope(
        "reverse_email",
        {
            "id": "i",
            "name": "n",
            "status": "FINISHED",
            "data": [
                {"input": {"email": "a@b.example"}, "custom": {}, "profile": RECORD["profile"]}
            ],
        },
    )
    [item] = reverse["datas"]
    assert item["input"] == {"email": "a@b.example"}
    assert item["contact"]["firstname"] == "John"
    assert item["contact"]["profile"]["linkedin_url"] == "https://www.linkedin.com/in/jdoe"
