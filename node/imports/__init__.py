"""Import of the parquets' existing registers (paper or spreadsheet) into a node.

A register line is one survivor in one case; ``template`` describes the
columns, ``reading`` turns a CSV or XLSX file into lines, ``values`` reads a
greffier's typing (codes or French labels, dates, oui/non) and ``services``
validates every line with the API's serializers, then writes through the API's
services so that each record is encrypted and audited exactly as if typed in.
"""
