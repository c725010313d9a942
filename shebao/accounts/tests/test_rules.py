import pytest

from shebao.accounts.rules import grantable_codes, missing_documents, password_problems, required_documents
from shebao.accounts.services import generate_password


@pytest.mark.parametrize(
    ("password", "username", "ok"),
    [
        ("Kq7mzx2Lp", "zhang", True),
        ("abcd1234", "zhang", False),  # one of Django's 20,000 common passwords
        ("Passw0rd", "zhang", False),  # common, compared in any case
        ("Shebao2026", "zhang", False),  # the demo's published password
        ("Abcdefgh", "zhang", False),  # no digit
        ("12345678", "zhang", False),  # no letter
        ("abc123", "zhang", False),  # too short
        ("zhang123", "zhang123", False),  # the user name
        ("ZHANG1234", "zhang", False),  # contains the user name, any case
        ("abc 12345", "zhang", False),  # a space
        ("密码Kq7mzx2Lp", "zhang", True),  # other characters are allowed besides letters and digits
    ],
)
def test_password_rules(password, username, ok):
    assert (password_problems(password, username=username) == []) is ok


def test_password_messages_are_chinese_and_specific():
    problems = password_problems("abc", username="u")
    assert problems == ["密码至少 8 位，当前为 3 位", "密码须同时包含英文字母和数字"]
    assert password_problems("x330106199005170117", identifiers=("330106199005170117",)) == [
        "密码不能包含身份证号码、单位编号或单位代码"
    ]
    assert password_problems("Kq10000001", identifiers=("10000001",)) == [
        "密码不能包含身份证号码、单位编号或单位代码"
    ]
    assert password_problems("杭州甲科技有限公司a1", names=("杭州甲科技有限公司",)) == [
        "密码不能包含单位名称或本人姓名"
    ]
    assert password_problems("shebao2026") == ["该密码过于常见，容易被猜中，请换一个"]


def test_generated_passwords_pass_the_rules():
    for _ in range(200):
        password = generate_password()
        assert len(password) == 10 and password_problems(password, username="a_admin") == []
        assert not set(password) & set("0O1lI")


def test_grantable_items_per_kind():
    admin = grantable_codes("employer", employer_admin=True)
    operator = grantable_codes("employer")
    assert len(admin) == 41 and "H19" in admin and "PROGRESS" in admin and "BATCH" in admin
    assert set(admin) - set(operator) == {"H19"}
    assert grantable_codes("individual") == ["Q07", "Q08", "Q09", "Q16", "Q20"]
    assert grantable_codes("staff") == []


@pytest.mark.parametrize(
    ("applicant", "expected"),
    [
        ("enterprise", ["code_certificate", "business_licence", "operator_id_card"]),
        ("private_non_enterprise", ["code_certificate", "business_licence", "operator_id_card"]),
        ("organ", ["approval_document", "operator_id_card"]),
        ("institution", ["approval_document", "operator_id_card"]),
        ("individual", ["id_card"]),
    ],
)
def test_documents_per_applicant(applicant, expected):
    assert [d.code for d in required_documents(applicant)] == expected
    assert missing_documents(applicant, expected) == []
    assert [d.code for d in missing_documents(applicant, expected[1:])] == expected[:1]
