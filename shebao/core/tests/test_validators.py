"""Validators for names, phones, bank accounts, periods, amounts, and the normal forms of text."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shebao.core import idnumbers
from shebao.core.errors import ValidationFailed
from shebao.core.validators import (
    MAX_AMOUNT,
    normalize_identifier,
    normalize_text,
    parse_amount,
    parse_period,
    validate_bank_account,
    validate_credit_code,
    validate_id_number,
    validate_name,
    validate_org_code,
    validate_phone,
)

fast = settings(max_examples=60, deadline=None, database=None)


def failure(func, value, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        func(value, **kwargs)
    return exc.value


def test_identifier_validators_are_re_exported():
    assert validate_id_number is idnumbers.validate_id_number
    assert validate_credit_code is idnumbers.validate_credit_code
    assert validate_org_code is idnumbers.validate_org_code
    assert validate_id_number("11010519491231002x", today=date(2024, 6, 30)).number == "11010519491231002X"


# --- normal forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        (" 11010519491231002x ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("１１０１０５　１９４９１２３１　００２ｘ", "11010519491231002X"),
        ("110105\t19491231\n002X", "11010519491231002X"),
        ("\ufeff11010519491231\u200b002X", "11010519491231002X"),
        ("d2143569－x", "D2143569-X"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_identifier(raw, normal):
    assert normalize_identifier(raw) == normal


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Ａｂｃ　　def  ", "Abc def"),
        ("１２３，４５６", "123，456"),
        ("工资调整，补缴２０２６年（含１月）", "工资调整，补缴2026年（含1月）"),
        ("a\tb\n\nc", "a b c"),
        ("深圳市\u3000南山区", "深圳市 南山区"),
        ("zero\u200bwidth", "zerowidth"),
        ("", ""),
    ],
)
def test_normalize_text(raw, normal):
    assert normalize_text(raw) == normal


@fast
@given(st.text())
def test_normalize_identifier_is_idempotent_and_leaves_no_whitespace(text):
    once = normalize_identifier(text)
    assert normalize_identifier(once) == once
    assert not any(c.isspace() for c in once)
    assert not any("a" <= c <= "z" or "\uff01" <= c <= "\uff5e" for c in once)


@fast
@given(st.text())
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip()
    assert "  " not in once


# --- names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("张三", "张三"),
        (" 张 三 ", "张三"),
        ("阿沛·阿旺晋美", "阿沛·阿旺晋美"),
        ("阿沛•阿旺晋美", "阿沛·阿旺晋美"),
        ("阿沛・阿旺晋美", "阿沛·阿旺晋美"),
        ("阿沛.阿旺晋美", "阿沛·阿旺晋美"),
        ("王〇", "王〇"),
        ("𠀀𠀁", "𠀀𠀁"),
        ("John Smith", "John Smith"),
        ("  John   Smith ", "John Smith"),
        ("Ｊｏｈｎ　Ｓｍｉｔｈ", "John Smith"),
        ("Jean-Pierre O'Neil", "Jean-Pierre O'Neil"),
        ("José Núñez", "José Núñez"),
        ("Li", "Li"),
        ("欧" * 30, "欧" * 30),
    ],
)
def test_valid_names(raw, normal):
    assert validate_name(raw) == normal


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "姓名不能为空"),
        ("  ", "required", "姓名不能为空"),
        ("张", "length", "姓名应为2–30个字符，实际为 1 个"),
        ("欧" * 31, "length", "姓名应为2–30个字符，实际为 31 个"),
        ("张三1", "invalid_char", "姓名不能包含数字：第3个字符为「1」"),
        ("Li 4", "invalid_char", "姓名不能包含数字：第4个字符为「4」"),
        ("张三３", "invalid_char", "姓名不能包含数字：第3个字符为「3」"),
        ("张三@", "invalid_char", "姓名第3个字符「@」不允许使用"),
        ("张-三", "invalid_char", "姓名第2个字符「-」不允许使用"),
        ("John·Smith", "invalid_char", "姓名第5个字符「·」不允许使用"),
        ("张三John", "mixed_script", "姓名不能同时包含汉字和拉丁字母"),
        ("·张三", "format", "姓名中的间隔号「·」不能在开头或结尾，也不能连续出现"),
        ("张三·", "format", "姓名中的间隔号「·」不能在开头或结尾，也不能连续出现"),
        ("张··三", "format", "姓名中的间隔号「·」不能在开头或结尾，也不能连续出现"),
        ("--", "invalid_char", "姓名应由汉字或拉丁字母组成"),
        ("-John", "format", "姓名应以字母开头"),
        ("Иван", "invalid_char", "姓名第1个字符「И」不允许使用"),
    ],
)
def test_invalid_names(raw, code, message):
    error = failure(validate_name, raw)
    assert (error.message, error.code, error.field) == (message, code, "name")


@fast
@given(st.text(max_size=40))
def test_valid_names_are_normal_and_stable(text):
    try:
        name = validate_name(text)
    except ValidationFailed:
        return
    assert validate_name(name) == name
    assert 2 <= len(name) <= 30
    assert not any(c.isdigit() for c in name)


# --- phones ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13800138000", "13800138000"),
        (" 138 0013 8000 ", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("010-12345678", "010-12345678"),
        ("0755-1234567", "0755-1234567"),
        ("(010)12345678", "010-12345678"),
        ("（0755）12345678", "0755-12345678"),
        ("021-12345678-801", "021-12345678-801"),
        ("0755-12345678转801", "0755-12345678-801"),
        ("0755-12345678 ext. 801", "0755-12345678-801"),
        ("010-12345678#8", "010-12345678-8"),
        # Run together: 010 and 02x are three characters, other area codes four.
        ("01012345678", "010-12345678"),
        ("0201234567", "020-1234567"),
        ("075512345678", "0755-12345678"),
        ("05711234567", "0571-1234567"),
    ],
)
def test_valid_phones(raw, normal):
    assert validate_phone(raw) == normal


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "联系电话不能为空"),
        ("1380013800", "length", "手机号码应为11位数字，实际为 10 位"),
        ("138001380001", "length", "手机号码应为11位数字，实际为 12 位"),
        ("12345", "length", "手机号码应为11位数字，实际为 5 位"),
        (
            "010-123456",
            "format",
            "联系电话「010-123456」格式不正确，应为11位手机号码或带区号的固定电话（如 010-12345678）",
        ),
        ("12345678", "length", "手机号码应为11位数字，实际为 8 位"),
        (
            "87654321",
            "format",
            "联系电话「87654321」格式不正确，应为11位手机号码或带区号的固定电话（如 010-12345678）",
        ),
        (
            "0-12345678",
            "format",
            "联系电话「0-12345678」格式不正确，应为11位手机号码或带区号的固定电话（如 010-12345678）",
        ),
        (
            "010-12345678-1234567",
            "format",
            "联系电话「010-12345678-1234567」格式不正确，应为11位手机号码或带区号的固定电话（如 010-12345678）",
        ),
        ("tel", "format", "联系电话「TEL」格式不正确，应为11位手机号码或带区号的固定电话（如 010-12345678）"),
    ],
)
def test_invalid_phones(raw, code, message):
    error = failure(validate_phone, raw)
    assert (error.message, error.code, error.field) == (message, code, "phone")


@fast
@given(st.text("0123456789", min_size=10, max_size=10))
def test_every_mobile_number_passes_with_or_without_country_code(rest):
    number = "1" + rest
    assert validate_phone(number) == number
    assert validate_phone(f"+86 {number[:3]} {number[3:7]} {number[7:]}") == number


@fast
@given(st.text(max_size=30))
def test_valid_phones_are_stable(text):
    try:
        phone = validate_phone(text)
    except ValidationFailed:
        return
    assert validate_phone(phone) == phone


# --- bank accounts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("6222 0212 3456 7890 123", "6222021234567890123"),
        ("６２２２０２１２３４５６", "622202123456"),
        ("12345678", "12345678"),
        ("1" * 30, "1" * 30),
    ],
)
def test_valid_bank_accounts(raw, normal):
    assert validate_bank_account(raw) == normal


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "银行账号不能为空"),
        ("1234567", "length", "银行账号应为8–30位数字，实际为 7 位"),
        ("1" * 31, "length", "银行账号应为8–30位数字，实际为 31 位"),
        ("6222-0212-3456", "invalid_char", "银行账号只能包含数字，第5位为「-」"),
        ("6222 0212 345X", "invalid_char", "银行账号只能包含数字，第12位为「X」"),
    ],
)
def test_invalid_bank_accounts(raw, code, message):
    error = failure(validate_bank_account, raw)
    assert (error.message, error.code, error.field) == (message, code, "bank_account")


# --- periods --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "period"),
    [
        ("202401", 202401),
        (202412, 202412),
        (" 202401 ", 202401),
        ("２０２４０１", 202401),
        ("2024-01", 202401),
        ("2024-1", 202401),
        ("2024/12", 202412),
        ("2024.03", 202403),
        ("2024年1月", 202401),
        ("2024年11月", 202411),
        ("190001", 190001),
        (210012, 210012),
    ],
)
def test_valid_periods(raw, period):
    assert parse_period(raw) == period


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "结算期不能为空"),
        ("202413", "month", "结算期 202413 的月份 13 无效，应为01–12"),
        (202400, "month", "结算期 202400 的月份 00 无效，应为01–12"),
        ("2024-13", "month", "结算期 2024-13 的月份 13 无效，应为01–12"),
        ("189912", "year", "结算期 189912 的年份 1899 超出范围（1900–2100）"),
        (210101, "year", "结算期 210101 的年份 2101 超出范围（1900–2100）"),
        ("2024", "format", "结算期「2024」格式不正确，应为6位年月，如 202401"),
        ("20241", "format", "结算期「20241」格式不正确，应为6位年月，如 202401"),
        ("2024011", "format", "结算期「2024011」格式不正确，应为6位年月，如 202401"),
        (-202401, "format", "结算期「-202401」格式不正确，应为6位年月，如 202401"),
        ("一月", "format", "结算期「一月」格式不正确，应为6位年月，如 202401"),
    ],
)
def test_invalid_periods(raw, code, message):
    error = failure(parse_period, raw)
    assert (error.message, error.code, error.field) == (message, code, "period")


def test_period_label_and_field_can_be_named():
    error = failure(parse_period, "202413", field="start_period", label="开始所属期")
    assert (error.field, error.message) == ("start_period", "开始所属期 202413 的月份 13 无效，应为01–12")


@pytest.mark.parametrize("bad", [202401.0, None, True, Decimal("202401")])
def test_period_refuses_other_types(bad):
    with pytest.raises(TypeError):
        parse_period(bad)


@fast
@given(st.integers(min_value=1900, max_value=2100), st.integers(min_value=1, max_value=12))
def test_period_round_trips(year, month):
    period = year * 100 + month
    assert parse_period(period) == period
    assert parse_period(str(period)) == period
    assert parse_period(f"{year}-{month}") == period
    assert parse_period(f"{year}年{month}月") == period


# --- amounts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("0", "0.00"),
        ("-0", "0.00"),
        ("1234.5", "1234.50"),
        ("1,234.56", "1234.56"),
        ("1,234,567", "1234567.00"),
        ("１，２３４．５６", "1234.56"),
        (" 12 ", "12.00"),
        ("¥1,234.00", "1234.00"),
        ("￥12元", "12.00"),
        ("1.230", "1.23"),
        ("0.1", "0.10"),
        ("99,999,999,999.99", "99999999999.99"),
        (5, "5.00"),
        (Decimal("1.5"), "1.50"),
        (Decimal("2.500"), "2.50"),
    ],
)
def test_valid_amounts(raw, amount):
    result = parse_amount(raw)
    assert type(result) is Decimal
    assert str(result) == amount


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "required", "金额不能为空"),
        ("¥", "required", "金额不能为空"),
        ("-1", "negative", "金额不能为负数"),
        ("-0.01", "negative", "金额不能为负数"),
        (Decimal("-1"), "negative", "金额不能为负数"),
        (-1, "negative", "金额不能为负数"),
        ("1.234", "decimal_places", "金额最多保留两位小数，实际为「1.234」"),
        (Decimal("1.001"), "decimal_places", "金额最多保留两位小数，实际为「1.001」"),
        ("1,23", "format", "金额「1,23」的千分位分隔符位置不正确"),
        ("12,3456.00", "format", "金额「12,3456.00」的千分位分隔符位置不正确"),
        ("abc", "format", "金额「abc」不是有效的金额"),
        ("1e3", "format", "金额「1e3」不是有效的金额"),
        ("NaN", "format", "金额「NaN」不是有效的金额"),
        ("Infinity", "format", "金额「Infinity」不是有效的金额"),
        (Decimal("NaN"), "format", "金额「NaN」不是有效的金额"),
        (".5", "format", "金额「.5」不是有效的金额"),
        ("5.", "format", "金额「5.」不是有效的金额"),
        ("1.2.3", "format", "金额「1.2.3」不是有效的金额"),
        ("100000000000.00", "max_value", "金额不能超过 99,999,999,999.99"),
        ("9" * 40, "max_value", "金额不能超过 99,999,999,999.99"),
    ],
)
def test_invalid_amounts(raw, code, message):
    error = failure(parse_amount, raw)
    assert (error.message, error.code, error.field) == (message, code, "amount")


def test_amount_maximum_label_and_field_can_be_set():
    assert parse_amount("50000", max_value=Decimal("50000")) == Decimal("50000")
    error = failure(parse_amount, "50000.01", max_value=Decimal("50000"), field="base", label="缴费基数")
    assert (error.field, error.message) == ("base", "缴费基数不能超过 50,000.00")


@pytest.mark.parametrize("bad", [1.5, 0.0, True, None, [1]])
def test_amount_refuses_floats_and_other_types(bad):
    with pytest.raises(TypeError):
        parse_amount(bad)


amounts = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)


@fast
@given(amounts)
def test_amount_round_trips_decimal_strings(amount):
    for text in (str(amount), f"{amount:,}", f"{amount:f}", f"¥{amount:,.2f}"):
        result = parse_amount(text)
        assert type(result) is Decimal
        assert result == amount
        assert result.as_tuple().exponent == -2
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in f"{amount:,}")
    assert parse_amount(full_width) == amount
    assert parse_amount(amount) == amount


@fast
@given(st.text(max_size=20))
def test_amount_from_any_text_is_a_decimal_or_a_validation_failure(text):
    try:
        result = parse_amount(text)
    except ValidationFailed:
        return
    assert type(result) is Decimal
    assert Decimal(0) <= result <= MAX_AMOUNT
    assert parse_amount(str(result)) == result


@fast
@given(st.text(max_size=20))
def test_any_text_never_crashes_the_other_validators(text):
    for validate in (validate_name, validate_phone, validate_bank_account, parse_period, parse_amount):
        try:
            validate(text)
        except ValidationFailed:
            pass


def test_ethnicities_are_gb_t_3304_in_full():
    from shebao.core.choices import ETHNICITIES, ETHNICITY_CODES

    groups = [name for code, name in ETHNICITY_CODES.items() if int(code) <= 56]
    assert len(groups) == 56 and len(set(groups)) == 56 and all(g.endswith("族") for g in groups)
    assert list(ETHNICITY_CODES)[:56] == [f"{n:02d}" for n in range(1, 57)]
    assert ETHNICITIES[-2:] == ["其他", "外国血统中国籍人士"]
    assert {"傈僳族", "基诺族", "珞巴族", "门巴族", "高山族"} <= set(ETHNICITIES)
