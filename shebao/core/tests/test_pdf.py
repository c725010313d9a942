import io

from pypdf import PdfReader

from shebao.core.pdf import PdfDocument, pdf_response, render_pdf


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_render_pdf_contains_title_fields_table_and_notes():
    data = render_pdf(
        title="网上办事用户认证回执单",
        subtitle="经办机构留存联",
        fields=[("用户名", "10000001"), ("初始密码", "Xy7kq2Pz9a")],
        table=(["事项编码", "事项名称"], [["Q01", "单位基本信息查询"], ["H19", "经办人授权"]]),
        notes=["首次登录须修改初始密码。"],
        qr="https://example.org/verify/abc",
        qr_caption="扫码核验",
        footer="打印时间 2026-01-05 10:00",
    )
    assert data.startswith(b"%PDF")
    text = _text(data)
    for expected in (
        "网上办事用户认证回执单",
        "经办机构留存联",
        "10000001",
        "Xy7kq2Pz9a",
        "单位基本信息查询",
        "经办人授权",
        "首次登录须修改初始密码",
        "扫码核验",
        "第 1 页",
        "打印时间",
    ):
        assert expected in text, expected


def test_user_text_is_escaped_not_markup():
    data = render_pdf(title="<b>标题</b> & 其他", fields=[("名称", "甲<乙>&丙")])
    text = _text(data)
    assert "<b>标题</b> & 其他" in text
    assert "甲<乙>&丙" in text


def test_long_table_breaks_across_pages_with_header_repeated():
    doc = PdfDocument(title="名单")
    doc.table(["序号", "姓名"], [[str(i), f"职工{i}"] for i in range(200)], col_widths=[1, 3])
    reader = PdfReader(io.BytesIO(doc.render()))
    assert len(reader.pages) > 1
    assert "姓名" in reader.pages[1].extract_text()
    assert "职工199" in reader.pages[-1].extract_text()


def test_two_column_fields_and_empty_values():
    doc = PdfDocument(title="证明")
    doc.fields([("甲", "1"), ("乙", None), ("丙", 3)], columns=2)
    text = _text(doc.render())
    assert "甲" in text and "丙" in text and "3" in text


def test_pdf_response_headers():
    response = pdf_response(b"%PDF-1.4", "回执单.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E5%9B%9E" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == "no-store"
    assert pdf_response(b"", "a.pdf", inline=False)["Content-Disposition"].startswith(
        'attachment; filename="a.pdf"'
    )


def test_middle_dot_is_printed_with_a_glyph_the_cjk_font_has():
    """STSong-Light has no glyph at U+00B7 (the 间隔号 of 阿沛·阿旺晋美, our footers' separator): it is printed as
    U+30FB, the same dot, which the font has."""
    import io

    import pypdf

    from shebao.core.pdf import PdfDocument

    doc = PdfDocument(title="测试", footer="社会保险经办机构 · 扫描二维码")
    doc.paragraph("阿沛·阿旺晋美")
    text = pypdf.PdfReader(io.BytesIO(doc.render())).pages[0].extract_text()
    assert "社会保险经办机构 ・ 扫描二维码" in text and "阿沛・阿旺晋美" in text
    assert "\u00b7" not in text
