import io

import openpyxl

from shebao.declarations.batch import services, templates
from shebao.declarations.batch.columns import layout_for
from shebao.declarations.tests.conftest import NEW_ID, TODAY


def test_smoke(personas):
    layout = layout_for("H01")
    data = templates.template_xlsx(layout, today=TODAY)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["数据"]
    ws.append([NEW_ID, "刘洋", "男", "1995-03-08", "汉族", "本市城镇", "13900000001", "杭州", "合同制", "202611", "8000", "养老、医疗、失业、工伤、生育"])
    ws.append([NEW_ID, "刘洋", "男", "1995-03-08", "汉族", "本市城镇", "13900000001", "杭州", "合同制", "202611", "8000", "养老"])
    ws.append([330106199503080515, "刘洋", "男", "1995-03-08", "汉族", "本市城镇", "13900000001", "杭州", "合同制", "202611", "8000", "养老"])
    buf = io.BytesIO(); wb.save(buf)
    batch = services.batch_upload(employer=personas.employer_a, item_code="H01", file_name="a.xlsx", content=buf.getvalue(), options={}, actor=personas.operator_a, today=TODAY)
    batch = services.batch_validate(batch_id=batch.pk)
    print(batch.status, batch.file_errors, batch.notices, batch.accepted_rows, batch.rejected_rows)
    for r in batch.rows.all():
        print(r.line, r.accepted, r.problems, r.notes, r.base, r.cost)
    lay = layout_for("H07")
    print(templates.template_xlsx(lay, today=TODAY)[:4])
