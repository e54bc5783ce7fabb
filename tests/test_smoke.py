def test_start_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Care Leaver Covenant" in response.get_data(as_text=True)
