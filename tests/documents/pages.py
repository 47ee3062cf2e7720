"""Pages the document tests render: an English invoice, and one naming a Nepali shop and items."""

from __future__ import annotations

from flows.documents import Block, Page, Table


def page(shop: str, item: str, rows: int = 12) -> Page:
    return Page(
        title="TAX INVOICE", banner=None,
        blocks=(Block("Seller", ("Shrestha Traders", "Kalimati, Kathmandu")),
                Block("Buyer", (shop, "Baneshwor"))),
        facts=(("Invoice no.", "2083/84-00042"), ("Date", "2083-08-17")),
        table=Table(("#", "Item", "Qty", "Rate", "Amount"),
                    tuple((str(i + 1), f"{item} {i}", "10 kg", "1,130.00", "11,300.00")
                          for i in range(rows)),
                    (True, False, True, True, True), (1, 6, 2, 2, 2)),
        totals=(("Taxable amount", "Rs 1,35,600.00"), ("Total", "Rs 1,53,228.00")),
        notes=("Goods once sold are taken back only against a credit note.",),
        footer="Khaacho")


NEPALI = page("सीता पसल", "चिनी / Sugar")
ENGLISH = page("Sita Pasal", "Sugar")
